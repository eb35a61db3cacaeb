import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Logs every request at `debug` (method, path without the query, status, duration) with its request id.
/// At the default `info` level it costs nothing. Tokens and bodies are never logged; for requests that
/// came through Envoy it notes the `sub` the edge claimed, which the backend does not trust.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.logger.logLevel <= .debug else { return try await next(request, context) }
        let started = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - started
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path.prefix(300))",
            "status": "\(response.status.code)",
            "duration_ms": "\(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000)",
        ]
        if let edgeUser = request.headers[.xCurrentUser].flatMap(Self.sub) { metadata["edge_sub"] = "\(edgeUser)" }
        context.logger.debug("request", metadata: metadata)
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
