import Foundation
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

    @Test(arguments: [(0, "0.000"), (7, "0.007"), (80, "0.080"), (512, "0.512"), (3_001_250, "3001.250")])
    func theDurationIsMillisecondsWithMicroseconds(micros: Int64, text: String) {
        let record = AccessRecord(
            method: "GET", path: "/", route: "/", status: 200, durationMicros: micros, bytes: 0, edgeSub: nil)
        #expect(record.durationText == text)
    }
}
