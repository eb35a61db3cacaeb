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
            durationMS: 0.512, bytes: 6761, edgeSub: nil),
        AccessRecord(
            method: "POST", path: "/api/\"quoted\"\n\u{1}é", route: "none", status: 503, durationMS: 3001.25,
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
    }
}
