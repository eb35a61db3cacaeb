import Hummingbird

/// A route's handler, in the request context its access needs: anyone's, or a verified caller's.
public enum RouteHandler: Sendable {
    case anyone(@Sendable (Request, AppRequestContext) async throws -> Response)
    case caller(@Sendable (Request, AuthenticatedRequestContext) async throws -> Response)
}

/// The controllers' handlers by ``RouteName``, and their registration: every route of ``APIRoutes/all`` on the
/// router at the table's path and method, a protected one in a verified caller's context. A route without a
/// handler or a handler in the wrong context stops start-up (``mismatches``; a test builds the router).
public struct RouteHandlers: Sendable {
    var handlers: [RouteName: RouteHandler] = [:]

    public init() {}

    /// Adds a controller's handlers; a name given twice is a programming error.
    public mutating func add(_ more: [RouteName: RouteHandler]) {
        handlers.merge(more) { _, _ in preconditionFailure("two handlers for one route name") }
    }

    /// What keeps these handlers from serving the table, one sentence each: a route without a handler, a handler
    /// in the wrong context for its route's access (every ``RouteName`` is in the table: a test holds it). Empty when
    /// they fit.
    public var mismatches: [String] {
        var found: [String] = []
        for route in APIRoutes.all {
            switch (route.access, handlers[route.name]) {
            case (_, nil):
                found.append("no handler for \(route.method) \(route.path) (\(route.name))")
            case (.protected, .anyone?), (.open, .caller?), (.public, .caller?):
                found.append("\(route.method) \(route.path) is \(route.access): its handler has the wrong context")
            default:
                break
            }
        }
        return found
    }

    /// Registers every route of the table with its handler; stops start-up when they do not fit (``mismatches``).
    func register(on router: Router<AppRequestContext>) {
        let problems = mismatches
        precondition(problems.isEmpty, "the route table and the handlers differ: \(problems.joined(separator: "; "))")
        let verified = router.group("", context: AuthenticatedRequestContext.self)
        for route in APIRoutes.all {
            switch handlers[route.name] {
            case .caller(let handle)?:
                verified.on(RouterPath(route.path), method: route.method, use: handle)
            case .anyone(let handle)?:
                router.on(RouterPath(route.path), method: route.method, use: handle)
            case nil:
                break
            }
        }
    }
}
