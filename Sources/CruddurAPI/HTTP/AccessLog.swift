import CruddurAuth
import CruddurDomain
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The access log line of a request at `info` (`LOG_LEVEL=warning` silences it): method, path, route
/// template, status, duration in milliseconds, response bytes, and, through the logger's metadata, the
/// request id and trace id. Never the token or the body. For requests from the edge it notes the `sub`
/// the edge claimed (`edge_sub`), which the backend does not trust. ``RequestTelemetryMiddleware`` writes it.
enum AccessLog {
    static func write(
        _ request: Request, _ response: Response, route: String, duration: Duration, logger: Logger
    ) {
        let (seconds, attoseconds) = duration.components
        let record = AccessRecord(
            method: request.method.rawValue, path: path(request.head.path ?? "/"), route: route,
            status: response.status.code, durationMicros: seconds * 1_000_000 + attoseconds / 1_000_000_000_000,
            bytes: response.body.contentLength, edgeSub: request.headers[.xCurrentUser].flatMap(sub))
        // The JSON and text handlers write the record's fields straight into the line: going through swift-log's
        // metadata dictionaries cost about a tenth of a request (perf, see docs/observability.md). The type is
        // compared rather than cast: `as?` on the handler was a tenth of the access log's samples.
        let handler = logger.handler
        if type(of: handler) == JSONLogHandler.self, handler.metadataProvider == nil {
            JSONLogHandler.log(access: record, label: logger.label, metadata: handler.metadata)
        } else if type(of: handler) == TextLogHandler.self, handler.metadataProvider == nil {
            TextLogHandler.log(access: record, label: logger.label, metadata: handler.metadata)
        } else {
            logger.info(AccessRecord.message, metadata: record.metadata)
        }
    }

    /// The request target's path, without its query, cut to at most 300 bytes between two Unicode scalars (never
    /// inside one, so the line stays UTF-8): counted in bytes, as walking characters cost more than the rest of
    /// the line.
    static func path(_ target: String) -> Substring {
        let utf8 = target.utf8
        let end = utf8.firstIndex(of: UInt8(ascii: "?")) ?? utf8.endIndex
        var cut = utf8.index(utf8.startIndex, offsetBy: 300, limitedBy: end) ?? end
        while cut < end, UTF8.isContinuation(utf8[cut]) { utf8.formIndex(before: &cut) }
        return target[..<cut]
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

/// What an access log line says about one request, beside the logger's own metadata.
struct AccessRecord {
    let method: String
    let path: Substring
    let route: String
    let status: Int
    let durationMicros: Int64
    let bytes: Int?
    let edgeSub: String?

    /// The message of every access line (the JSON handler writes it as a literal: keep the two alike).
    static let message: Logger.Message = "request"

    /// The fields as swift-log metadata, for any handler but the JSON one.
    var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [
            "method": "\(method)", "path": "\(path)", "route": "\(route)", "status": "\(status)",
            "duration_ms": "\(durationText)",
        ]
        if let bytes { metadata["bytes"] = "\(bytes)" }
        if let edgeSub { metadata["edge_sub"] = "\(edgeSub)" }
        return metadata
    }

    /// The keys ``writeText(_:into:)`` writes, in the order a text line sorts them.
    static let textKeys = ["bytes", "duration_ms", "edge_sub", "method", "path", "route", "status"]

    /// ` key=value` of a text line for one of ``textKeys``, saying what ``metadata`` says; nothing for a field the
    /// record does not have. Written straight into the line, as ``writeMembers(into:)`` is.
    func writeText(_ key: String, into line: inout LogLineWriter) {
        func field(_ name: StaticString, _ write: (inout LogLineWriter) -> Void) {
            line.append(byte: UInt8(ascii: " "))
            line.append(name)
            line.append(byte: UInt8(ascii: "="))
            write(&line)
        }
        switch key {
        case "bytes": if let bytes { field("bytes") { JSONScalars.writeDecimal(bytes, into: &$0) } }
        case "duration_ms": field("duration_ms") { writeDuration(into: &$0) }
        case "edge_sub": if let edgeSub { field("edge_sub") { $0.append(text: edgeSub) } }
        case "method": field("method") { $0.append(text: method) }
        case "path": field("path") { $0.append(text: path) }
        case "route": field("route") { $0.append(text: route) }
        case "status": field("status") { JSONScalars.writeDecimal(status, into: &$0) }
        default: break
        }
    }

    /// The duration in milliseconds with three decimals (microseconds), as `duration_ms` shows it.
    var durationText: String {
        var text = ByteBuffer()
        writeDuration(into: &text)
        return String(buffer: text)
    }

    func writeDuration(into output: inout some JSONOutput) {
        let micros = max(durationMicros, 0)
        JSONScalars.writeDecimal(micros / 1000, into: &output)
        output.append(byte: UInt8(ascii: "."))
        let fraction = micros % 1000
        if fraction < 100 { output.append(byte: UInt8(ascii: "0")) }
        if fraction < 10 { output.append(byte: UInt8(ascii: "0")) }
        JSONScalars.writeDecimal(fraction, into: &output)
    }

    /// The fields as JSON members, each preceded by a comma; every value a string, as in ``metadata``.
    /// Written straight into the line: no `String` is made for the path, the numbers or the duration.
    func writeMembers(into line: inout some JSONOutput) {
        line.append(",\"method\":")
        JSONScalars.writeString(method, into: &line)
        line.append(",\"path\":")
        JSONScalars.writeString(path, into: &line)
        line.append(",\"route\":")
        JSONScalars.writeString(route, into: &line)
        line.append(",\"status\":\"")
        JSONScalars.writeDecimal(status, into: &line)
        line.append("\",\"duration_ms\":\"")
        writeDuration(into: &line)
        line.append("\"")
        if let bytes {
            line.append(",\"bytes\":\"")
            JSONScalars.writeDecimal(bytes, into: &line)
            line.append("\"")
        }
        if let edgeSub {
            line.append(",\"edge_sub\":")
            JSONScalars.writeString(edgeSub, into: &line)
        }
    }
}
