import CruddurAPI
import Hummingbird
import Testing

@Suite("Route handlers fit the route table")
struct RouteHandlersTests {
    static let anyone = RouteHandler.anyone { _, _ in Response(status: .ok) }
    static let caller = RouteHandler.caller { _, _ in Response(status: .ok) }

    /// A handler of the right context for every name in the table.
    static func complete() -> [RouteName: RouteHandler] {
        var handlers: [RouteName: RouteHandler] = [:]
        for route in APIRoutes.all { handlers[route.name] = route.access == .protected ? caller : anyone }
        return handlers
    }

    @Test func aCompleteSetFits() {
        var handlers = RouteHandlers()
        handlers.add(Self.complete())
        #expect(handlers.mismatches.isEmpty)
    }

    @Test func aMissingHandlerIsNamed() {
        var handlers = RouteHandlers()
        var complete = Self.complete()
        complete[.search] = nil
        handlers.add(complete)
        #expect(handlers.mismatches == ["no handler for GET /api/activities/search (search)"])
    }

    @Test func aHandlerInTheWrongContextIsNamed() {
        var handlers = RouteHandlers()
        var complete = Self.complete()
        complete[.notifications] = Self.anyone
        complete[.home] = Self.caller
        handlers.add(complete)
        #expect(
            handlers.mismatches == [
                "GET /api/activities/home is public: its handler has the wrong context",
                "GET /api/activities/notifications is protected: its handler has the wrong context",
            ])
    }

    @Test func everyNameIsInTheTable() {
        let named = Set(APIRoutes.all.map(\.name))
        #expect(named == Set(RouteName.allCases))
    }
}
