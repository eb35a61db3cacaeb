import HTTPTypes
import Hummingbird
import Instrumentation
import OTel

/// Gives every request an id: a sane incoming `X-Request-Id` (Envoy sends one) is kept, anything else is
/// replaced. The id goes into the logger's metadata and back out on every response. The W3C trace id of
/// an incoming `traceparent` goes into the metadata too (a new one when there is none), so every log line
/// of the request can be found from the edge's trace.
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
        // Hummingbird's own key says the same id, already as text: one id per line, formatted once.
        context.logger[metadataKey: "hb.request.id"] = "\(id)"
        // The request span's trace when a tracer runs (so log lines and spans agree), else the incoming one.
        let span = InstrumentationContext.current
        let traceID =
            span?.w3cTrace?.traceID ?? span?.otelTraceID ?? request.headers[.traceparent].flatMap(Self.traceID)
            ?? W3CTrace.randomHex(bytes: 16)
        context.logger[metadataKey: "trace_id"] = "\(traceID)"
        var response = try await next(request, context)
        response.headers[.xRequestID] = id
        return response
    }

    /// The trace id of a W3C `traceparent` (`00-<32 hex>-<16 hex>-<2 hex>`), if valid and not all zeros.
    static func traceID(_ header: String) -> String? {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].utf8.count == 2, parts[0] != "ff", parts[1].utf8.count == 32,
            parts[2].utf8.count == 16, parts[3].utf8.count == 2,
            parts.prefix(4).allSatisfy({ $0.utf8.allSatisfy(Self.isLowerHex) }),
            parts[1].contains(where: { $0 != "0" }), parts[2].contains(where: { $0 != "0" })
        else { return nil }
        return String(parts[1])
    }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
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
    static let traceparent = Self("traceparent")!
    static let xRequestID = Self("X-Request-Id")!
    static let xCurrentUser = Self("x-current-user")!
}
