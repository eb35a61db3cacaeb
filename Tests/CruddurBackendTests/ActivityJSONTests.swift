import CruddurAPI
import CruddurDomain
import Foundation
import Testing

@Suite("The feed JSON writer")
struct ActivityJSONTests {
    @Test(arguments: [
        "Cloud is fun!", "quotes \" and \\ backslashes", "new\nline\ttab\r", "control \u{1} \u{1f}", "emoji 🦄👩‍👩‍👧",
        "</script><script>alert(1)</script>", "ünïcödé / slash", "",
    ])
    func matchesJSONEncoder(message: String) throws {
        let reply = Activity(
            uuid: UUID(), displayName: "Worf", handle: "worf", message: message, replyToActivityUUID: UUID(),
            expiresAt: Date(timeIntervalSince1970: 1_900_000_000.5),
            createdAt: Date(timeIntervalSince1970: 1_800_000_000.123))
        let activity = Activity(
            uuid: UUID(), displayName: "Andrew \"AB\" Brown", handle: "andrewbrown", message: message, repliesCount: 1,
            repostsCount: 2, likesCount: 3, expiresAt: Date(timeIntervalSince1970: 1_900_000_000),
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.999), replies: [reply])
        let written = ActivityJSON.array([activity, reply])
        let ours = try JSONSerialization.jsonObject(with: Data(written.readableBytesView)) as? NSArray
        let reference = try JSONSerialization.jsonObject(with: JSONEncoder().encode([activity, reply])) as? NSArray
        #expect(ours != nil)
        #expect(ours == reference)
        let one =
            try JSONSerialization.jsonObject(with: Data(ActivityJSON.object(activity).readableBytesView))
            as? NSDictionary
        #expect(one == reference?.firstObject as? NSDictionary)
    }

    @Test(arguments: [0, 1, 9, 10, 99_999, -1, -10, Int.max, Int.min])
    func countsMatchJSONEncoderAtEveryEdge(count: Int) throws {
        let activity = Activity(
            uuid: UUID(), displayName: "Worf", handle: "worf", message: "m", repliesCount: count,
            repostsCount: count, likesCount: count, expiresAt: Date(timeIntervalSince1970: 1_900_000_000),
            createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        let ours = String(decoding: ActivityJSON.object(activity).readableBytesView, as: UTF8.self)
        let encoder = JSONEncoder()
        let reference = try JSONSerialization.jsonObject(with: encoder.encode(activity)) as? NSDictionary
        let parsed = try JSONSerialization.jsonObject(with: Data(ours.utf8)) as? NSDictionary
        #expect(parsed == reference)
        #expect(ours.contains("\"likes_count\":\(count),"))
    }
}
