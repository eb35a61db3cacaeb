import Hummingbird

/// Who may call a route.
public enum RouteAccess: String, Sendable {
    /// Anyone; tokens are not even looked at (health checks).
    case open
    /// Anyone; a signed-in caller gets more.
    case `public`
    /// A valid access token is required.
    case protected
}

/// What a route does: the key by which a controller hands the router its handler.
public enum RouteName: String, Sendable, CaseIterable {
    case liveness, readiness
    case home, notifications, search, userFeed, showByHandle, create, show, reply
    case userShort, userProfile
    case messageGroups, conversation, writeMessage
    case updateProfile
}

/// One route of the API and its access policy.
public struct APIRoute: Sendable, Equatable {
    public let method: HTTPRequest.Method
    public let path: String
    public let access: RouteAccess
    public let name: RouteName

    init(_ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess, _ name: RouteName) {
        self.method = method
        self.path = path
        self.access = access
        self.name = name
    }

    /// How well `segments` fits this route's path: `nil` when it does not, else the count of literal matches.
    func specificity(of segments: [Substring]) -> Int? {
        let pattern = path.split(separator: "/")
        guard pattern.count == segments.count else { return nil }
        var literals = 0
        for (expected, actual) in zip(pattern, segments) {
            if expected.hasPrefix("@{") {
                guard actual.hasPrefix("@"), actual.count > 1 else { return nil }
            } else if expected.hasPrefix("{") {
                guard !actual.isEmpty else { return nil }
            } else {
                guard expected == actual else { return nil }
                literals += 1
            }
        }
        return literals
    }
}

/// The route table: the single statement of every route's method, path and access policy. The router registers
/// every route from it (``RouteHandlers``: the controllers give a handler per ``RouteName``), the 405 answers and
/// the Envoy `ext_authz` check read it, and `tools/envoy-routes` writes Envoy's `jwt_authn` and RBAC rules from
/// it (one entry per line, in this form: the tool reads this array).
public enum APIRoutes {
    public static let all: [APIRoute] = [
        APIRoute(.get, "/api/health", .open, .liveness),
        APIRoute(.get, "/api/health-check", .open, .readiness),
        APIRoute(.get, "/api/activities/home", .public, .home),
        APIRoute(.get, "/api/activities/notifications", .protected, .notifications),
        APIRoute(.get, "/api/activities/search", .public, .search),
        APIRoute(.get, "/api/activities/@{handle}", .public, .userFeed),
        APIRoute(.get, "/api/activities/@{handle}/status/{uuid}", .public, .showByHandle),
        APIRoute(.post, "/api/activities", .protected, .create),
        APIRoute(.get, "/api/activities/{uuid}", .public, .show),
        APIRoute(.post, "/api/activities/{uuid}/reply", .protected, .reply),
        APIRoute(.get, "/api/users/@{handle}/short", .public, .userShort),
        APIRoute(.get, "/api/users/@{handle}", .public, .userProfile),
        APIRoute(.get, "/api/message_groups", .protected, .messageGroups),
        APIRoute(.get, "/api/messages/{message_group_uuid}", .protected, .conversation),
        APIRoute(.post, "/api/messages", .protected, .writeMessage),
        // PUT is what the upstream frontend sends; POST is what the upstream backend declared.
        APIRoute(.put, "/api/profile/update", .protected, .updateProfile),
        APIRoute(.post, "/api/profile/update", .protected, .updateProfile),
    ]

    /// The route that serves `method` on `path`, preferring literal segments over captures.
    public static func route(method: HTTPRequest.Method, path: some StringProtocol) -> APIRoute? {
        let method = method == .head ? .get : method
        return bestMatches(path: path).first { $0.method == method }
    }

    /// The methods `path` answers to (with `HEAD` beside `GET`); empty for an unknown path.
    public static func allowedMethods(path: some StringProtocol) -> [String] {
        let methods = Set(bestMatches(path: path).map(\.method.rawValue))
        var allowed = methods.sorted()
        if methods.contains("GET") { allowed.append("HEAD") }
        return allowed.isEmpty ? [] : allowed + ["OPTIONS"]
    }

    /// The routes of the most specific pattern(s) that fit `path`, one per method. Segments are split as
    /// Hummingbird's router splits them (empty ones skipped: `//` and a trailing `/` change nothing), so
    /// the check and the router always judge a path alike.
    static func bestMatches(path: some StringProtocol) -> [APIRoute] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map { Substring($0) }
        var best: [HTTPRequest.Method: (APIRoute, Int)] = [:]
        for route in all {
            guard let score = route.specificity(of: segments) else { continue }
            if let current = best[route.method], current.1 >= score { continue }
            best[route.method] = (route, score)
        }
        return best.values.map(\.0)
    }
}
