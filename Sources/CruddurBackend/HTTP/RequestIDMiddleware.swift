import HTTPTypes
import Hummingbird

/// Gives every request an id: a sane incoming `X-Request-Id` is kept, anything else is replaced.
/// The id goes into the logger's metadata and back out on every response.
public struct RequestIDMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var context = context
        let id = request.headers[.xRequestID].flatMap(Self.sane) ?? context.id
        context.requestID = id
        context.logger[metadataKey: "request_id"] = "\(id)"
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }

    /// 1–128 characters of letters, digits, `-`, `_`, `.` or `:`; nothing that could forge a log line.
    static func sane(_ value: String) -> String? {
        guard (1...128).contains(value.utf8.count) else { return nil }
        let allowed = value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"):
                true
            default: false
            }
        }
        return allowed ? value : nil
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-Id")!
    static let xCurrentUser = Self("x-current-user")!
}
