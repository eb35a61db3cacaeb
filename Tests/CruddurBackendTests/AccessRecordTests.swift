import Foundation
import Logging
import NIOCore
import Testing

@testable import CruddurAPI

/// The JSON log writes an access line's fields itself; they must say exactly what the metadata every other
/// handler gets says, escaped as JSON.
@Suite("Access log records")
struct AccessRecordTests {
    @Test(arguments: [
        AccessRecord(
            method: "GET", path: "/api/activities/home", route: "/api/activities/home", status: 200,
            durationMicros: 512, bytes: 6761, edgeSub: nil),
        AccessRecord(
            method: "POST", path: "/api/\"quoted\"\n\u{1}é", route: "none", status: 503, durationMicros: 3_001_250,
            bytes: nil, edgeSub: "sub-\u{7f}\\"),
    ])
    func theJSONMembersSayWhatTheMetadataSays(record: AccessRecord) throws {
        var line = ByteBuffer(string: "{\"message\":\"request\"")
        record.writeMembers(into: &line)
        line.writeString("}")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(buffer: line)) as? [String: String])
        var expected = record.metadata.mapValues { "\($0)" }
        expected["message"] = "request"
        #expect(parsed == expected)
        for key in Array(record.metadata.keys) + Array(JSONLogHandler.reserved) {
            #expect(JSONLogHandler.isLineField(key), "the logger's metadata must not repeat \(key)")
        }
    }

    /// The access line written without a dictionary is the line any other log call with the record's metadata
    /// writes: the same message (a literal in the writer), level, label, and members, the logger's own too.
    @Test func theAccessLineIsTheLineOfTheRecordsMetadata() throws {
        let record = AccessRecord(
            method: "GET", path: "/api/activities/home", route: "/api/activities/home", status: 200,
            durationMicros: 512, bytes: 6761, edgeSub: "edge")
        let time = Date(timeIntervalSince1970: 1_764_460_800.25)
        let loggers: Logger.Metadata = ["request_id": "r-1", "trace_id": "t-1", "status": "shadowed"]
        var direct = ByteBuffer()
        JSONLogHandler.writeAccessLine(record, time: time, label: "cruddur", metadata: loggers, into: &direct)
        var general = ByteBuffer()
        JSONLogHandler.writeLine(
            time: time, level: .info, label: "cruddur", message: AccessRecord.message,
            metadata: loggers.merging(record.metadata) { _, new in new }, into: &general)
        let parse = { (line: ByteBuffer) in
            try #require(try JSONSerialization.jsonObject(with: Data(buffer: line)) as? [String: String])
        }
        #expect(try parse(direct) == parse(general))
        #expect(try parse(direct)["message"] == "request")
    }

    @Test(arguments: [(0, "0.000"), (7, "0.007"), (80, "0.080"), (512, "0.512"), (3_001_250, "3001.250")])
    func theDurationIsMillisecondsWithMicroseconds(micros: Int64, text: String) {
        let record = AccessRecord(
            method: "GET", path: "/", route: "/", status: 200, durationMicros: micros, bytes: 0, edgeSub: nil)
        #expect(record.durationText == text)
    }
}

@Suite("Log lines")
struct LogLineWriterTests {
    /// A line past the first block's size is formatted again with more room, never cut short.
    @Test(arguments: [0, 1, 1023, 1024, 1025, 5000, 70_000])
    func aLineOfAnyLengthIsWrittenWhole(length: Int) throws {
        let value = String(repeating: "a\"", count: length / 2) + (length % 2 == 1 ? "é" : "")
        let text = LogLineWriter.withLine { line in
            line.append("{\"value\":")
            JSONScalars.writeString(value, into: &line)
            line.append(",\"n\":")
            JSONScalars.writeDecimal(UInt64.max, into: &line)
            line.append(byte: UInt8(ascii: "}"))
        } _: {
            String(decoding: $0, as: UTF8.self)
        }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["value"] as? String == value)
        #expect(text.hasSuffix(",\"n\":18446744073709551615}"))
    }

    /// The access line's path: no query, at most 300 bytes, cut between scalars so the line stays UTF-8.
    @Test(arguments: [
        ("/api/activities/home?cursor=abc", "/api/activities/home"),
        ("/", "/"),
        ("/" + String(repeating: "a", count: 400), "/" + String(repeating: "a", count: 299)),
        ("/" + String(repeating: "€", count: 150), "/" + String(repeating: "€", count: 99)),
        ("/" + String(repeating: "é", count: 150) + "?q", "/" + String(repeating: "é", count: 149)),
    ])
    func thePathIsCutInBytesBetweenScalars(target: String, path: String) {
        let cut = AccessLog.path(target)
        #expect(cut == path)
        #expect(cut.utf8.count <= 300)
    }
}

/// The text log writes `StreamLogHandler`'s lines itself; the access line says what the record's metadata says.
@Suite("Text log lines")
struct TextLogLineTests {
    @Test(arguments: [
        AccessRecord(
            method: "GET", path: "/api/activities/home", route: "/api/activities/home", status: 200,
            durationMicros: 512, bytes: 6761, edgeSub: "edge"),
        AccessRecord(
            method: "POST", path: "/api/x", route: "none", status: 503, durationMicros: 3_001_250, bytes: nil,
            edgeSub: nil),
    ])
    func theAccessLineIsTheLineOfTheRecordsMetadata(record: AccessRecord) {
        let loggers: Logger.Metadata = [
            "request_id": "r-1", "trace_id": "t-1", "status": "shadowed", "a": "first", "zz": "last",
            "hb.request.id": "r-1", "n": .stringConvertible(42),
        ]
        let text = { (write: (inout LogLineWriter) -> Void) in
            LogLineWriter.withLine(write) { String(decoding: $0, as: UTF8.self) }
        }
        let direct = text {
            TextLogHandler.writeAccessLine(record, 1_764_460_800, label: "cruddur", metadata: loggers, into: &$0)
        }
        let general = text {
            TextLogHandler.writeLine(
                1_764_460_800, level: .info, label: "cruddur",
                fields: TextLogHandler.fields(loggers.merging(record.metadata) { _, new in new }), source: "CruddurAPI",
                message: "request", into: &$0)
        }
        #expect(direct == general)
        #expect(direct.contains(" a=first bytes=") || record.bytes == nil)
    }

    /// `<local time> <level> <label>: <key=value ...> [<source>] <message>`, as swift-log's `StreamLogHandler`.
    @Test func aLineIsStreamLogHandlersLine() throws {
        let text = LogLineWriter.withLine { line in
            TextLogHandler.writeLine(
                1_764_460_800, level: .info, label: "cruddur", fields: [("a", "1"), ("b", "two words")],
                source: "CruddurAPI", message: "request", into: &line)
        } _: {
            String(decoding: $0, as: UTF8.self)
        }
        let pattern =
            #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4} info cruddur: a=1 b=two words \[CruddurAPI\] request\n$/#
        #expect(try pattern.wholeMatch(in: text) != nil, "\(text)")
        let bare = LogLineWriter.withLine { line in
            TextLogHandler.writeLine(0, level: .warning, label: "", fields: [], source: "S", message: "m", into: &line)
        } _: {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(bare.hasSuffix(" warning: [S] m\n"), "\(bare)")
    }
}

@Suite("Trace ids")
struct TraceIDTests {
    @Test(arguments: [8, 16])
    func randomIdsAreLowerHexOfTheirLengthAndDiffer(bytes: Int) {
        let ids = (0..<1000).map { _ in W3CTrace.randomHex(bytes: bytes) }
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.utf8.count == bytes * 2)
            #expect(id.utf8.allSatisfy { RequestIDMiddleware.isLowerHex($0) })
            #expect(id.contains { $0 != "0" })
        }
    }
}
