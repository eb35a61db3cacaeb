import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One access log line per request at `info` (`LOG_LEVEL=warning` silences it): method, path, route
/// template, status, duration in milliseconds, response bytes, and, through the logger's metadata, the
/// request id and trace id. Never the token or the body. For requests from the edge it notes the `sub`
/// the edge claimed (`edge_sub`), which the backend does not trust.
public struct AccessLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.logger.logLevel <= .info else { return try await next(request, context) }
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path.prefix(300))",
            "route": "\(context.endpointPath ?? "none")", "status": "\(response.status.code)",
            "duration_ms": "\(Double(seconds) * 1000 + Double(attoseconds / 1_000_000_000_000) / 1000)",
        ]
        if let bytes = response.body.contentLength { metadata["bytes"] = "\(bytes)" }
        if let edgeUser = request.headers[.xCurrentUser].flatMap(Self.sub) { metadata["edge_sub"] = "\(edgeUser)" }
        context.logger.info("request", metadata: metadata)
        return response
    }

    /// The `sub` in the edge's `x-current-user`: JSON from the ext_authz check, or base64url JSON (the
    /// verified claims) from Envoy's jwt_authn.
    static func sub(_ header: String) -> String? {
        let json = header.hasPrefix("{") ? Data(header.utf8) : Base64URL.decode(header.utf8).map { Data($0) }
        guard let json, let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            return nil
        }
        return object["sub"] as? String
    }
}
