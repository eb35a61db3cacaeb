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

/// One route of the API and its access policy.
public struct APIRoute: Sendable, Equatable {
    public let method: HTTPRequest.Method
    public let path: String
    public let access: RouteAccess

    init(_ method: HTTPRequest.Method, _ path: String, _ access: RouteAccess) {
        self.method = method
        self.path = path
        self.access = access
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

/// The route table: the single statement of every route's method, path and access policy. The 405 answers
/// and the Envoy `ext_authz` check read it, `tools/envoy-routes` writes Envoy's `jwt_authn` and RBAC rules from
/// it (one entry per line, in this form: the tool reads this array), and a test holds the router to it.
public enum APIRoutes {
    public static let all: [APIRoute] = [
        APIRoute(.get, "/api/health", .open),
        APIRoute(.get, "/api/health-check", .open),
        APIRoute(.get, "/api/activities/home", .public),
        APIRoute(.get, "/api/activities/notifications", .protected),
        APIRoute(.get, "/api/activities/search", .public),
        APIRoute(.get, "/api/activities/@{handle}", .public),
        APIRoute(.get, "/api/activities/@{handle}/status/{uuid}", .public),
        APIRoute(.post, "/api/activities", .protected),
        APIRoute(.get, "/api/activities/{uuid}", .public),
        APIRoute(.post, "/api/activities/{uuid}/reply", .protected),
        APIRoute(.get, "/api/users/@{handle}/short", .public),
        APIRoute(.get, "/api/users/@{handle}", .public),
        APIRoute(.get, "/api/message_groups", .protected),
        APIRoute(.get, "/api/messages/{message_group_uuid}", .protected),
        APIRoute(.post, "/api/messages", .protected),
        APIRoute(.put, "/api/profile/update", .protected),
        APIRoute(.post, "/api/profile/update", .protected),
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
