import CruddurDomain
import Foundation
import Logging

/// `LOG_FORMAT=json`: one JSON object per line on standard output, with `time` (RFC 3339, UTC), `level`,
/// `label`, `message`, and every metadata key as a field of its own (nested metadata as JSON). Hand-written
/// because swift-log ships only a text handler and no JSON one is in the package mirror.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(String(reflecting: error))" }
        // Written straight into bytes: JSONSerialization made an access log line cost more than the request.
        let now = Date()
        LogLineWriter.withLine { line in
            Self.writeLine(
                time: now, level: event.level, label: label, message: event.message, metadata: merged, into: &line)
        } _: {
            LogOutput.standard.append(bytes: $0)
        }
    }

    /// A whole line: ``writeHead(time:level:label:message:into:)``, then each metadata key but the line's own.
    static func writeLine(
        time: Date, level: Logger.Level, label: String, message: Logger.Message, metadata: Logger.Metadata,
        into line: inout some JSONOutput
    ) {
        writeHead(time: time, level: level, label: label, message: message, into: &line)
        for (key, value) in metadata where !reserved.contains(key) { write(key, value, into: &line) }
        line.append("}\n")
    }

    /// An access log line at `info` from a JSON handler's `label` and `metadata`, then the record's fields,
    /// with no metadata dictionary built or merged (``AccessLog`` calls it when the request's
    /// handler is a `JSONLogHandler` without a metadata provider). Formatted on the stack, then copied
    /// into the output under its lock: the lock is held for a copy, not for the formatting.
    static func log(access record: AccessRecord, label: String, metadata: Logger.Metadata) {
        let now = Date()
        LogLineWriter.withLine { line in
            writeAccessLine(record, time: now, label: label, metadata: metadata, into: &line)
        } _: {
            LogOutput.standard.append(bytes: $0)
        }
    }

    /// The access line ``writeLine(time:level:label:message:metadata:into:)`` would write for
    /// `logger.info(AccessRecord.message, metadata: record.metadata)`, written without the dictionary.
    static func writeAccessLine(
        _ record: AccessRecord, time: Date, label: String, metadata: Logger.Metadata, into line: inout some JSONOutput
    ) {
        // The level and message are the same on every access line: written as they are, not escaped again.
        line.append("{\"time\":\"")
        JSONScalars.writeTimestamp(time, into: &line)
        line.append("\",\"level\":\"info\",\"label\":")
        JSONScalars.writeString(label, into: &line)
        line.append(",\"message\":\"request\"")
        for (key, value) in metadata where !isLineField(key) { write(key, value, into: &line) }
        record.writeMembers(into: &line)
        line.append("}\n")
    }

    /// A line's opening brace and its `time`, `level`, `label` and `message` members.
    static func writeHead(
        time: Date, level: Logger.Level, label: String, message: Logger.Message, into line: inout some JSONOutput
    ) {
        line.append("{\"time\":\"")
        JSONScalars.writeTimestamp(time, into: &line)
        line.append("\",\"level\":")
        JSONScalars.writeString(level.rawValue, into: &line)
        line.append(",\"label\":")
        JSONScalars.writeString(label, into: &line)
        line.append(",\"message\":")
        JSONScalars.writeString(message.description, into: &line)
    }

    /// `,"key":value`.
    static func write(_ key: String, _ value: Logger.Metadata.Value, into line: inout some JSONOutput) {
        line.append(byte: UInt8(ascii: ","))
        JSONScalars.writeString(key, into: &line)
        line.append(byte: UInt8(ascii: ":"))
        write(value, into: &line)
    }

    /// Field names the line itself uses; metadata of the same name would make a line with a repeated key.
    static let reserved: Set<String> = ["time", "level", "label", "message"]

    /// Whether an access line writes `key` itself (``reserved``, or a key of ``AccessRecord/metadata``): compared
    /// directly, as hashing each metadata key into two sets cost more than the comparisons.
    static func isLineField(_ key: String) -> Bool {
        switch key {
        case "time", "level", "label", "message", "method", "path", "route", "status", "duration_ms", "bytes",
            "edge_sub":
            true
        default: false
        }
    }

    static func write(_ value: Logger.Metadata.Value, into line: inout some JSONOutput) {
        switch value {
        case .string(let text): JSONScalars.writeString(text, into: &line)
        case .stringConvertible(let convertible): JSONScalars.writeString(convertible.description, into: &line)
        case .array(let values):
            line.append(byte: UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { line.append(byte: UInt8(ascii: ",")) }
                write(value, into: &line)
            }
            line.append(byte: UInt8(ascii: "]"))
        case .dictionary(let entries):
            line.append(byte: UInt8(ascii: "{"))
            for (index, (key, value)) in entries.enumerated() {
                if index > 0 { line.append(byte: UInt8(ascii: ",")) }
                JSONScalars.writeString(key, into: &line)
                line.append(byte: UInt8(ascii: ":"))
                write(value, into: &line)
            }
            line.append(byte: UInt8(ascii: "}"))
        }
    }
}
