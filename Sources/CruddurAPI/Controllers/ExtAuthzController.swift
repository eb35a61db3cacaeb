import CruddurAuth
import CruddurDomain
import Foundation
import HTTPTypes
import Hummingbird

/// Envoy's `ext_authz` HTTP check. Envoy sends the original method and (normalised) path below
/// `/ext_authz`; the answer applies the backend's own route table: 404 for an `/api/` path that names no
/// route, 405 for a method it does not take, 401/403 (with `WWW-Authenticate`) where the backend would
/// refuse, else 200 with `x-current-user` for a verified caller.
public struct ExtAuthzController: Sendable {
    public static let pathPrefix = "/ext_authz"

    public init() {}

    /// Registers the check for every method Envoy may forward.
    public func register(on router: Router<AppRequestContext>) {
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]
        for method in methods {
            router.on("\(Self.pathPrefix)/**", method: method, use: check)
        }
    }

    /// The authorization decision for the request Envoy describes.
    @Sendable func check(request: Request, context: AppRequestContext) throws -> Response {
        let path = request.uri.path.dropFirst(Self.pathPrefix.count)
        guard let route = APIRoutes.route(method: request.method, path: path) else {
            let allowed = APIRoutes.allowedMethods(path: path)
            if request.method == .options && !allowed.isEmpty { return self.allowed(context.caller) }
            guard path == "/api" || path.hasPrefix("/api/") else { return self.allowed(context.caller) }
            if allowed.isEmpty { throw APIError.notFound("No route \(request.method) \(path.prefix(200))") }
            throw APIError.methodNotAllowed(allow: allowed)
        }
        guard route.access == .protected else { return allowed(context.caller) }
        _ = try context.requireIdentity()
        return allowed(context.caller)
    }

    func allowed(_ caller: Caller) -> Response {
        var headers = HTTPFields()
        if let identity = caller.identity, let json = try? JSONEncoder().encode(identity) {
            headers[.xCurrentUser] = Self.asciiJSON(json)
        }
        return Response(status: .ok, headers: headers)
    }

    /// JSON with every non-ASCII character escaped, so it is a valid header value.
    static func asciiJSON(_ data: Data) -> String {
        var out = ""
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            if scalar.isASCII {
                out.unicodeScalars.append(scalar)
            } else {
                for unit in String(scalar).utf16 { out += String(format: "\\u%04x", unit) }
            }
        }
        return out
    }
}
