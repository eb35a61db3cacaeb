import CruddurDomain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Direct messages on both stores: conversations of two, members only, every validation code.
@Suite("Direct messages, on both stores", .serialized)
struct MessageRouteTests {
    static let kinds: [StoreKind] = PostgresTestDatabase.enabled ? StoreKind.allCases : [.memory]

    /// Runs `body` against the application over a seeded store of `kind` where `sub-kirk`, `sub-spock` and
    /// `sub-mccoy` are the users `kirk`, `spock` and `mccoy`.
    func withApp(_ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void)
        async throws
    {
        try await kind.withStore { store in
            for name in ["kirk", "spock", "mccoy"] {
                _ = try await store.provisionUser(
                    CognitoProfile(sub: "sub-\(name)", preferredUsername: name, name: name.capitalized, email: nil),
                    logger: testLogger)
            }
            try await TestApp.make(store: store).test(.router) { client in try await body(client) }
        }
    }

    func write(_ client: some TestClientProtocol, as sub: String, _ body: [String: Any], key: String? = nil)
        async throws -> TestResponse
    {
        var headers = HTTPFields.json(sub: sub)
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(
            uri: "/api/messages", method: .post, headers: headers,
            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }

    @Test(arguments: kinds) func twoPeopleWriteToEachOtherAndOnlyTheyReadIt(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let first = try await write(client, as: "sub-kirk", ["message": "Beam me up", "handle": "@spock"])
            #expect(first.status == .ok)
            let group = try #require(try first.message.messageGroupUuid)
            #expect(try first.message.handle == "kirk" && first.message.message == "Beam me up")
            let answer = try await write(
                client, as: "sub-spock", ["message": "Fascinating", "message_group_uuid": group])
            #expect(try answer.status == .ok && answer.message.messageGroupUuid == group)
            let again = try await write(client, as: "sub-spock", ["message": "Also", "handle": "kirk"])
            #expect(try again.message.messageGroupUuid == group, "one conversation per pair")

            let kirksGroups = try await client.execute(
                uri: "/api/message_groups", method: .get, headers: .bearer(sub: "sub-kirk"))
            #expect(kirksGroups.status == .ok)
            #expect(try kirksGroups.messages.count == 1)
            #expect(try kirksGroups.messages.first?.handle == "spock")
            #expect(try kirksGroups.messages.first?.message == "Also")
            let spocksView = try await client.execute(
                uri: "/api/messages/\(group)", method: .get, headers: .bearer(sub: "sub-spock"))
            #expect(try spocksView.messages.map(\.message) == ["Beam me up", "Fascinating", "Also"])
            #expect(try spocksView.messages.map(\.handle) == ["kirk", "spock", "spock"])

            // A third user: as if the conversation did not exist, however they ask.
            for uri in ["/api/messages/\(group)", "/api/messages/\(UUID().uuidString.lowercased())", "/api/messages/x"]
            {
                let read = try await client.execute(uri: uri, method: .get, headers: .bearer(sub: "sub-mccoy"))
                #expect(read.status == .notFound && read.errorCode == "not_found", "\(uri)")
            }
            let intrude = try await write(
                client, as: "sub-mccoy", ["message": "Dammit Jim", "message_group_uuid": group])
            #expect(intrude.status == .notFound)
            let mccoysGroups = try await client.execute(
                uri: "/api/message_groups", method: .get, headers: .bearer(sub: "sub-mccoy"))
            #expect(try mccoysGroups.messages.isEmpty)
            let unchanged = try await client.execute(
                uri: "/api/messages/\(group)", method: .get, headers: .bearer(sub: "sub-kirk"))
            #expect(try unchanged.messages.count == 3)
            let anonymous = try await client.execute(uri: "/api/message_groups", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test(arguments: kinds) func everyProblemIsReported(kind: StoreKind) async throws {
        let cases: [(String, [String])] = [
            (#"{"message": "hi"}"#, ["message_group_uuid_blank", "handle_blank"]),
            (#"{"message": " ", "handle": "  "}"#, ["message_blank", "handle_blank"]),
            (
                #"{"message": "hi", "handle": "", "message_group_uuid": "5a1c1b0e-3d0e-4c55-9f1a-0c2b7e9d4a02"}"#,
                ["handle_blank"]
            ),
            (#"{"message": 7, "handle": ["spock"]}"#, ["message_blank", "handle_blank"]),
            (#"{"message": "x", "handle": null, "message_group_uuid": 7}"#, ["message_group_uuid_blank"]),
            (#"{"message": "me", "handle": "kirk"}"#, ["handle_self"]),
            (
                #"{"message": "\#(String(repeating: "m", count: 1025))", "handle": "spock"}"#,
                ["message_exceed_max_chars"]
            ),
            (#"{"message": "", "handle": "@KIRK"}"#, ["message_blank", "handle_self"]),
        ]
        try await withApp(kind) { client in
            for (body, codes) in cases {
                let response = try await client.execute(
                    uri: "/api/messages", method: .post, headers: .json(sub: "sub-kirk"), body: .json(body))
                #expect(response.status == .unprocessableContent, "\(body)")
                #expect(response.validationErrors == codes, "\(body)")
            }
            for body: [String: Any] in [
                ["message": "hi", "handle": "nobody"], ["message": "hi", "handle": "'; DROP TABLE users"],
                ["message": "hi", "handle": " spock"],
                ["message": "hi", "message_group_uuid": UUID().uuidString],
                ["message": "hi", "message_group_uuid": "x"],
            ] {
                let response = try await write(client, as: "sub-kirk", body)
                #expect(response.status == .notFound, "\(body)")
            }
            let atTheBound = try await write(
                client, as: "sub-kirk", ["message": String(repeating: "é", count: 1024), "handle": "spock"])
            #expect(atTheBound.status == .ok)
        }
    }

    @Test(arguments: kinds) func aRetryWithTheSameKeyStoresOnce(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let body: [String: Any] = ["message": "once", "handle": "spock"]
            let first = try await write(client, as: "sub-kirk", body, key: "k-1")
            let retry = try await write(client, as: "sub-kirk", body, key: "k-1")
            #expect(first.status == .ok && retry.status == .ok)
            #expect(try first.message.uuid == retry.message.uuid)
            let reused = try await write(client, as: "sub-kirk", ["message": "other", "handle": "spock"], key: "k-1")
            #expect(reused.status == .conflict)
            let group = try #require(try first.message.messageGroupUuid)
            let read = try await client.execute(
                uri: "/api/messages/\(group)", method: .get, headers: .bearer(sub: "sub-spock"))
            #expect(try read.messages.count == 1)
        }
    }

    @Test(arguments: kinds) func writingToEachOtherAtOnceMakesOneConversation(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let groups = try await withThrowingTaskGroup(of: String?.self) { tasks in
                for index in 0..<16 {
                    let (sub, handle) = index.isMultiple(of: 2) ? ("sub-kirk", "spock") : ("sub-spock", "kirk")
                    tasks.addTask {
                        try await write(client, as: sub, ["message": "at once \(index)", "handle": handle])
                            .message.messageGroupUuid
                    }
                }
                var seen: Set<String?> = []
                for try await group in tasks { seen.insert(group) }
                return seen
            }
            #expect(groups.count == 1 && groups.first! != nil)
            let read = try await client.execute(
                uri: "/api/messages/\(groups.first!!)?limit=100", method: .get, headers: .bearer(sub: "sub-kirk"))
            #expect(try read.messages.count == 16)
        }
    }

    @Test(arguments: kinds) func aConversationPagesBackwardsOldestFirstWithinAPage(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            var group = ""
            for index in 0..<25 {
                let written = try await write(client, as: "sub-kirk", ["message": "m\(index)", "handle": "spock"])
                group = try written.message.messageGroupUuid ?? ""
            }
            var uri = "/api/messages/\(group)?limit=10"
            var pages: [[String]] = []
            while true {
                let page = try await client.execute(uri: uri, method: .get, headers: .bearer(sub: "sub-spock"))
                pages.append(try page.messages.map(\.message))
                guard let link = page.headers[HTTPField.Name("Link")!],
                    let start = link.firstIndex(of: "<"), let end = link.firstIndex(of: ">")
                else { break }
                uri = String(link[link.index(after: start)..<end])
            }
            #expect(pages.map(\.count) == [10, 10, 5])
            #expect(pages.first == (15..<25).map { "m\($0)" })
            #expect(Array(pages.reversed().joined()) == (0..<25).map { "m\($0)" })
        }
    }
}
