import CruddurDomain
import CruddurStore
import Foundation
import Testing

/// Hostile and extreme input at the store boundary, on both stores: what the app accepts the database
/// stores, idempotency keys store once, feeds embed a bounded number of replies.
@Suite("Hardening, on both stores", .serialized)
struct HardeningStoreTests {
    static let kinds = StoreBehaviourTests.kinds
    let members = Visibility.readable(signedIn: true)
    let worf = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a03")!

    func crud(_ message: String, now: Date, uuid: UUID = UUID()) -> NewActivity {
        NewActivity(
            uuid: uuid, authorUUID: worf, message: message, visibility: .public, expiresAt: now.addingTimeInterval(600),
            createdAt: now)
    }

    /// 280 characters of 4 scalars each is the longest crud the app accepts: the schema must store it, and
    /// the app must refuse one scalar more (the schema's CHECK would).
    @Test(arguments: kinds) func theSchemaStoresEveryMessageTheAppAccepts(kind: StoreKind) async throws {
        let combining = String(repeating: "e\u{301}\u{302}\u{303}", count: MessageRules.activity.characters)
        #expect(combining.count == 280 && combining.unicodeScalars.count == MessageRules.activity.scalars)
        #expect(MessageRules.problems(message: combining, limit: MessageRules.activity).isEmpty)
        let over = combining + "\u{304}"
        #expect(over.count == 280)
        #expect(MessageRules.problems(message: over, limit: MessageRules.activity) == ["message_exceed_max_chars"])
        let joiners = String(repeating: "\u{200D}", count: 5000)
        #expect(
            MessageRules.problems(message: "a" + joiners, limit: MessageRules.reply) == ["message_exceed_max_chars"])
        let longReply = String(repeating: "o\u{308}\u{309}\u{30A}", count: MessageRules.reply.characters)
        #expect(MessageRules.problems(message: longReply, limit: MessageRules.reply).isEmpty)
        try await kind.withStore { store in
            let now = Date()
            let stored = try await store.insertActivity(crud(combining, now: now), logger: testLogger)
            #expect(stored.message == combining)
            let reply = try await store.insertReply(
                crud(longReply, now: now), to: stored.uuid, readable: members, now: now, logger: testLogger)
            #expect(reply?.message == longReply)
        }
    }

    @Test(arguments: kinds) func anIdempotencyKeyStoresOnce(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let key = IdempotencyKey(key: "retry-1", request: ["create", "once", "1-day"])!
            let first = try await store.insertActivity(crud("once", now: now), idempotency: key, logger: testLogger)
            let again = try await store.insertActivity(crud("once", now: now), idempotency: key, logger: testLogger)
            #expect(again.uuid == first.uuid)
            let feed = try await store.search(
                term: "once", readable: members, page: .init(), now: now, logger: testLogger)
            #expect(feed.items.count == 1)
            let other = IdempotencyKey(key: "retry-1", request: ["create", "something else", "1-day"])!
            await #expect(throws: StoreError.idempotencyKeyReused) {
                try await store.insertActivity(crud("something else", now: now), idempotency: other, logger: testLogger)
            }
            let replyKey = IdempotencyKey(key: "reply-1", request: ["reply", "x"])!
            let reply = try await store.insertReply(
                crud("a reply", now: now), to: first.uuid, readable: members, now: now, idempotency: replyKey,
                logger: testLogger)
            let replayed = try await store.insertReply(
                crud("a reply", now: now), to: first.uuid, readable: members, now: now, idempotency: replyKey,
                logger: testLogger)
            #expect(reply?.uuid == replayed?.uuid)
            #expect(
                try await store.activity(first.uuid, readable: members, now: now, logger: testLogger)?.repliesCount == 1
            )
        }
    }

    @Test(arguments: kinds) func feedsEmbedTheNewestRepliesAndShowPagesThem(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let start = Date()
            let parent = try await store.insertActivity(crud("popular", now: start), logger: testLogger)
            for index in 0..<7 {
                let at = start.addingTimeInterval(Double(index + 1))
                _ = try await store.insertReply(
                    crud("reply \(index)", now: at), to: parent.uuid, readable: members, now: at, logger: testLogger)
            }
            let now = start.addingTimeInterval(10)
            let home = try await store.homeFeed(readable: members, page: .init(), now: now, logger: testLogger)
            let shown = try #require(home.items.first { $0.uuid == parent.uuid })
            #expect(shown.repliesCount == 7)
            #expect(shown.replies.map(\.message) == ["reply 4", "reply 5", "reply 6"])
            let first = try await store.replies(
                to: parent.uuid, readable: members, page: .init(limit: 5), now: now, logger: testLogger)
            #expect(first.items.map(\.message) == ["reply 6", "reply 5", "reply 4", "reply 3", "reply 2"])
            let second = try await store.replies(
                to: parent.uuid, readable: members, page: .init(limit: 5, before: first.next), now: now,
                logger: testLogger)
            #expect(second.items.map(\.message) == ["reply 1", "reply 0"])
            #expect(second.next == nil)
            // The crud and its replies together: the same pages.
            let together = try #require(
                try await store.activityWithReplies(
                    parent.uuid, readable: members, page: .init(limit: 5), now: now, logger: testLogger))
            #expect(together.activity.uuid == parent.uuid && together.activity.repliesCount == 7)
            #expect(together.replies.items.map(\.message) == first.items.map(\.message))
            #expect(together.replies.next == first.next)
            let rest = try #require(
                try await store.activityWithReplies(
                    parent.uuid, readable: members, page: .init(limit: 5, before: first.next), now: now,
                    logger: testLogger))
            #expect(rest.replies.items.map(\.message) == ["reply 1", "reply 0"] && rest.replies.next == nil)
            let reply = try #require(first.items.first)
            let leaf = try #require(
                try await store.activityWithReplies(
                    reply.uuid, readable: members, page: .init(), now: now, logger: testLogger))
            #expect(leaf.activity.message == "reply 6" && leaf.replies.items.isEmpty)
            #expect(
                try await store.activityWithReplies(
                    UUID(), readable: members, page: .init(), now: now, logger: testLogger) == nil)
            #expect(
                try await store.activityWithReplies(
                    parent.uuid, readable: members, page: .init(), now: now.addingTimeInterval(3600), logger: testLogger
                ) == nil, "an expired crud is not shown, whatever its replies")
        }
    }

    @Test(arguments: kinds) func cursorsAtTheEdgesOfTimeReadNothingOrEverything(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let lowest = FeedCursor(createdAtMicros: FeedCursor.validMicros.lowerBound, uuid: nil)
            let highest = FeedCursor(createdAtMicros: FeedCursor.validMicros.upperBound, uuid: nil)
            let none = try await store.homeFeed(
                readable: members, page: .init(before: lowest), now: now, logger: testLogger)
            #expect(none.items.isEmpty)
            let all = try await store.homeFeed(
                readable: members, page: .init(before: highest), now: now, logger: testLogger)
            #expect(!all.items.isEmpty)
        }
    }

    @Test func cursorsOutsideTheDatabaseRangeAreRefused() {
        #expect(FeedCursor(parameter: "-9223372036854775808_") == nil)
        #expect(FeedCursor(parameter: "9223372036854775807_") == nil)
        #expect(FeedCursor(parameter: "253402300800000000_") == nil)
        #expect(FeedCursor(parameter: "-62135596800000001_") == nil)
        #expect(FeedCursor(parameter: "253402300799999999_") != nil)
        #expect(FeedCursor(parameter: "0000-01-01T00:00:00Z")?.createdAtMicros == FeedCursor.validMicros.lowerBound)
        #expect(
            FeedCursor(parameter: "9999-12-31T23:59:59-23:59")?.createdAtMicros == FeedCursor.validMicros.upperBound)
        #expect(FeedCursor(parameter: "9999-12-31T23:59:59Z") != nil)
        #expect(FeedCursor(parameter: "10000-01-01T00:00:00Z") == nil)
    }
}
