import CruddurDomain
import CruddurStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Mentions: a crud or reply naming `@handle` notifies that user once, never a handle nobody has, never the
/// author; on both stores.
@Suite("Mentions, on both stores", .serialized)
struct MentionTests {
    static let kinds: [StoreKind] = PostgresTestDatabase.enabled ? StoreKind.allCases : [.memory]

    @Test func theHandlesAMessageNames() {
        #expect(Handle.mentioned(in: "Hi @Spock, @spock and @mccoy.") == ["spock", "mccoy"])
        #expect(Handle.mentioned(in: "mail kirk@example.com or (@uhura)") == ["uhura"])
        #expect(Handle.mentioned(in: "@ @. @..x @-") == [])
        #expect(Handle.mentioned(in: "@\(String(repeating: "a", count: 40))") == [])
        #expect(Handle.mentioned(in: "é@sulu ✨@chekov") == ["sulu", "chekov"])
    }

    @Test(arguments: kinds) func aMentionNotifiesOnceAndNeverTheAuthor(kind: StoreKind) async throws {
        try await kind.withStore { store in
            for name in ["kirk", "spock", "mccoy"] {
                _ = try await store.provisionUser(
                    CognitoProfile(sub: "sub-\(name)", preferredUsername: name, name: name.capitalized, email: nil),
                    logger: testLogger)
            }
            try await TestApp.make(store: store).test(.router) { client in
                let crud = try await client.execute(
                    uri: "/api/activities", method: .post, headers: .json(sub: "sub-kirk"),
                    body: .json(#"{"message": "@spock @SPOCK @nobody @kirk kirk@mccoy.example", "ttl": "1-day"}"#))
                #expect(crud.status == .ok)
                let uuid = try crud.crud.uuid
                let reply = try await client.execute(
                    uri: "/api/activities/\(uuid)/reply", method: .post, headers: .json(sub: "sub-spock"),
                    body: .json(#"{"message": "@kirk you called, and @mccoy."}"#))
                #expect(reply.status == .ok)
                let replyUUID = try reply.crud.uuid

                func notified(_ sub: String) async throws -> [String] {
                    try await client.execute(
                        uri: "/api/activities/notifications", method: .get, headers: .bearer(sub: sub)
                    ).cruds.map(\.uuid)
                }
                #expect(try await notified("sub-spock") == [uuid])
                #expect(try await notified("sub-kirk") == [replyUUID], "a reply that also mentions: once")
                #expect(try await notified("sub-mccoy") == [replyUUID])
            }
        }
    }

    /// Replies and mentions interleaved in time come back as one feed, newest first, each once, page after
    /// page: the PostgreSQL store reads them as two keyset scans and merges them.
    @Test(arguments: kinds) func notificationsMergeRepliesAndMentionsAcrossPages(kind: StoreKind) async throws {
        try await kind.withStore { store in
            var users: [String: UUID] = [:]
            for name in ["kirk", "spock", "mccoy"] {
                users[name] =
                    try await store.provisionUser(
                        CognitoProfile(sub: "sub-\(name)", preferredUsername: name, name: name.capitalized, email: nil),
                        logger: testLogger
                    ).uuid
            }
            let start = Date().addingTimeInterval(-100)
            func post(_ author: String, _ message: String, at second: Int, replyTo parent: UUID? = nil) async throws
                -> UUID
            {
                let at = start.addingTimeInterval(Double(second))
                let new = NewActivity(
                    uuid: UUID(), authorUUID: users[author]!, message: message, visibility: .public,
                    expiresAt: at.addingTimeInterval(3600), createdAt: at)
                guard let parent else { return try await store.insertActivity(new, logger: testLogger).uuid }
                let reply = try await store.insertReply(
                    new, to: parent, readable: [.public], now: at, logger: testLogger)
                return try #require(reply).uuid
            }
            var expected: [UUID] = []
            for round in 0..<4 {
                let crud = try await post("kirk", "log \(round)", at: round * 10)
                expected.append(try await post("spock", "a reply", at: round * 10 + 1, replyTo: crud))
                expected.append(try await post("mccoy", "@kirk look", at: round * 10 + 2))
                expected.append(try await post("mccoy", "@kirk and a reply", at: round * 10 + 3, replyTo: crud))
                _ = try await post("kirk", "@kirk to myself", at: round * 10 + 4, replyTo: crud)
            }
            var seen: [UUID] = []
            var page = PageRequest(limit: 5)
            while true {
                let feed = try await store.notifications(
                    for: users["kirk"]!, readable: [.public], page: page, now: start.addingTimeInterval(60),
                    logger: testLogger)
                seen += feed.items.map(\.uuid)
                guard let next = feed.next else { break }
                page = PageRequest(limit: 5, before: next)
            }
            #expect(seen == expected.reversed())
        }
    }
}
