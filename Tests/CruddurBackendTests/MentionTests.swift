import CruddurBackend
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
                let uuid = try #require(crud.object["uuid"] as? String)
                let reply = try await client.execute(
                    uri: "/api/activities/\(uuid)/reply", method: .post, headers: .json(sub: "sub-spock"),
                    body: .json(#"{"message": "@kirk you called, and @mccoy."}"#))
                #expect(reply.status == .ok)
                let replyUUID = try #require(reply.object["uuid"] as? String)

                func notified(_ sub: String) async throws -> [String] {
                    try await client.execute(
                        uri: "/api/activities/notifications", method: .get, headers: .bearer(sub: sub)
                    ).array.compactMap { $0["uuid"] as? String }
                }
                #expect(try await notified("sub-spock") == [uuid])
                #expect(try await notified("sub-kirk") == [replyUUID], "a reply that also mentions: once")
                #expect(try await notified("sub-mccoy") == [replyUUID])
            }
        }
    }
}
