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
}
