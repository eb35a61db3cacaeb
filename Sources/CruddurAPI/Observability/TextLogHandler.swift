import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `LOG_FORMAT=text` (the default): the lines of swift-log's `StreamLogHandler`, byte for byte
/// (`<local time> <level> <label>: <key=value, sorted by key> [<source>] <message>`), written into memory on the
/// request's stack and then to standard output through the JSON handler's buffered ``LogOutput``.
///
/// Hand-written because `StreamLogHandler` made the access log line the dearest part of a request: with it,
/// `/api/health` at the default `LOG_LEVEL=info` served 0.48x of a bare Hummingbird route (0.77x at
/// `warning`), and the access line took 11% of the server's CPU samples (perf: its metadata sorted into a new
/// `String`, `localtime` and `strftime`, then `fwrite` and `fflush` under the `FILE` lock, one `write` per line
/// with the event loops waiting for each other on that lock). It also formats the metadata when a line is
/// written, never when a key is set: `StreamLogHandler` formatted all of it again on every set, and each request
/// sets three keys whether or not anything is logged.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String

    public init(label: String) {
        self.label = label
        metadataProvider = LoggingSystem.metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        Self.write(
            time(nil), level: event.level, label: label, fields: Self.fields(merged), source: event.source,
            message: event.message.description)
    }

    /// The access line `logger.info(AccessRecord.message, metadata: record.metadata)` would write through
    /// ``log(event:)``, without the dictionary (``writeAccessLine(_:_:label:metadata:into:)``). ``AccessLog`` calls it when the
    /// request's handler is a `TextLogHandler` without a metadata provider.
    static func log(access record: AccessRecord, label: String, metadata: Logger.Metadata) {
        let now = time(nil)
        LogLineWriter.withLine { line in
            writeAccessLine(record, now, label: label, metadata: metadata, into: &line)
        } _: {
            LogOutput.standard.append(bytes: $0)
        }
    }

    /// The line ``writeLine(_:level:label:fields:source:message:into:)`` writes for the logger's `metadata` with
    /// the record's merged over it, from the record's fields themselves.
    static func writeAccessLine(
        _ record: AccessRecord, _ now: time_t, label: String, metadata: Logger.Metadata, into line: inout LogLineWriter
    ) {
        // The logger's own keys (three on a request), in order; the record's come in order already.
        let own = metadata.filter { !AccessRecord.textKeys.contains($0.key) }.sorted { $0.key < $1.key }
        writeHead(now, level: .info, label: label, into: &line)
        var next = own.startIndex
        for key in AccessRecord.textKeys {
            while next < own.endIndex, own[next].key < key {
                write(own[next].key, own[next].value, into: &line)
                next += 1
            }
            record.writeText(key, into: &line)
        }
        for (key, value) in own[next...] { write(key, value, into: &line) }
        writeTail(source: "CruddurAPI", message: "request", into: &line)
    }

    /// Metadata in the order `StreamLogHandler` prints it: by key.
    static func fields(_ metadata: Logger.Metadata) -> [(key: String, value: Logger.Metadata.Value)] {
        metadata.sorted { $0.key < $1.key }
    }

    /// One whole line, formatted on the stack, appended to standard output's buffer.
    static func write(
        _ now: time_t, level: Logger.Level, label: String, fields: [(key: String, value: Logger.Metadata.Value)],
        source: String, message: String
    ) {
        LogLineWriter.withLine { line in
            writeLine(now, level: level, label: label, fields: fields, source: source, message: message, into: &line)
        } _: {
            LogOutput.standard.append(bytes: $0)
        }
    }

    static func writeLine(
        _ now: time_t, level: Logger.Level, label: String, fields: [(key: String, value: Logger.Metadata.Value)],
        source: String, message: String, into line: inout LogLineWriter
    ) {
        writeHead(now, level: level, label: label, into: &line)
        for (key, value) in fields { write(key, value, into: &line) }
        writeTail(source: source, message: message, into: &line)
    }

    /// `<local time> <level> <label>:` (`StreamLogHandler` leaves out the space before an empty label).
    static func writeHead(_ now: time_t, level: Logger.Level, label: String, into line: inout LogLineWriter) {
        writeTimestamp(now, into: &line)
        line.append(byte: UInt8(ascii: " "))
        line.append(text: level.rawValue)
        if !label.isEmpty { line.append(byte: UInt8(ascii: " ")) }
        line.append(text: label)
        line.append(byte: UInt8(ascii: ":"))
    }

    /// ` key=value` for a metadata value: a string as it is, anything else as its description.
    static func write(_ key: String, _ value: Logger.Metadata.Value, into line: inout LogLineWriter) {
        switch value {
        case .string(let text): write(key, text, into: &line)
        default: write(key, value.description, into: &line)
        }
    }

    /// ` key=value`.
    static func write(_ key: String, _ value: String, into line: inout LogLineWriter) {
        line.append(byte: UInt8(ascii: " "))
        line.append(text: key)
        line.append(byte: UInt8(ascii: "="))
        line.append(text: value)
    }

    /// ` [source] message` and the newline.
    static func writeTail(source: String, message: String, into line: inout LogLineWriter) {
        line.append(" [")
        line.append(text: source)
        line.append("] ")
        line.append(text: message)
        line.append(byte: UInt8(ascii: "\n"))
    }

    /// `%Y-%m-%dT%H:%M:%S%z` in local time, as `StreamLogHandler` writes it: formatted once a second
    /// (``Timestamps``), as `localtime_r` takes glibc's time zone lock on every call.
    static func writeTimestamp(_ now: time_t, into line: inout LogLineWriter) {
        let text = timestamps.text(for: now)
        line.append(text: text)
    }

    static let timestamps = Timestamps()
}

extension LogLineWriter {
    /// A string's UTF-8 bytes, as they are (`StreamLogHandler` escapes nothing either).
    mutating func append(text: String) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func append(text: Substring) {
        var text = text
        text.withUTF8 { append(bytes: UnsafeRawBufferPointer($0)) }
    }
}
