import HTTPTypes
import Hummingbird

/// CORS for the configured frontend origins only (`FRONTEND_URL`, `BACKEND_URL`). A preflight from an
/// allowed origin is answered here, before authentication, so it never needs a token. Other origins get
/// no CORS headers at all, so the browser blocks them.
public struct CORSPolicyMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>
    let maxAgeSeconds: Int

    public init(allowedOrigins: [String], maxAgeSeconds: Int = 600) {
        self.allowedOrigins = Set(allowedOrigins.compactMap(Self.normalized))
        self.maxAgeSeconds = maxAgeSeconds
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let origin = request.headers[.origin].flatMap { allowedOrigins.contains(Self.normalized($0) ?? "") ? $0 : nil }
        if let origin, request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[.accessControlAllowMethods] = "GET, POST, PUT, OPTIONS"
            headers[.accessControlAllowHeaders] = "Authorization, Content-Type, Idempotency-Key, traceparent"
            headers[.accessControlExposeHeaders] = "Link, X-Request-Id"
            headers[.accessControlMaxAge] = String(maxAgeSeconds)
            headers[.vary] = "Origin"
            return Response(status: .noContent, headers: headers)
        }
        var response = try await next(request, context)
        if let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "Link, X-Request-Id"
        }
        response.headers[values: .vary].contains("Origin")
            ? () : response.headers.append(.init(name: .vary, value: "Origin"))
        return response
    }

    /// `scheme://host[:port]` in lower case, without a path or trailing slash; `nil` when not an origin.
    static func normalized(_ text: String) -> String? {
        var value = text.trimmingCharacters(in: .whitespaces).lowercased()
        while value.hasSuffix("/") { value.removeLast() }
        guard value.hasPrefix("http://") || value.hasPrefix("https://") else { return nil }
        let afterScheme = value.split(separator: "://", maxSplits: 1).last ?? ""
        guard !afterScheme.isEmpty, !afterScheme.contains("/") else { return nil }
        return value
    }
}
