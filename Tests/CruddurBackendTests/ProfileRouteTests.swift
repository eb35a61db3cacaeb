import CruddurDomain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Profiles and the upstream frontend's shapes (user feed object, show by handle), on both stores.
@Suite("Profiles and the upstream shapes, on both stores", .serialized)
struct ProfileRouteTests {
    static let kinds: [StoreKind] = PostgresTestDatabase.enabled ? StoreKind.allCases : [.memory]

    /// Runs `body` against the application over a seeded store of `kind` where `sub-andrew` is andrewbrown.
    func withApp(
        _ kind: StoreKind, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        try await kind.withStore { store in
            _ = try await store.provisionUser(
                CognitoProfile(
                    sub: "sub-andrew", preferredUsername: "andrewbrown", name: "Andrew Brown",
                    email: "andrew@exampro.co", emailVerified: true),
                logger: testLogger)
            try await TestApp.make(store: store).test(.router) { client in try await body(client) }
        }
    }

    @Test(arguments: kinds) func aProfileHasTheUpstreamFields(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let response = try await client.execute(uri: "/api/users/@AndrewBrown", method: .get)
            #expect(response.status == .ok)
            let profile = try response.profile
            #expect(profile.handle == "andrewbrown")
            #expect(profile.displayName == "Andrew Brown")
            #expect(profile.cognitoUserUuid == "sub-andrew")
            #expect(profile.crudsCount == 1)
            #expect(RFC3339.date(from: profile.createdAt) != nil)
            #expect(UUID(uuidString: profile.uuid) != nil)
            let unclaimed = try await client.execute(uri: "/api/users/@worf", method: .get)
            #expect(unclaimed.object["cognito_user_uuid"] is NSNull, "present, and null")
            #expect(try unclaimed.profile.cognitoUserUuid == nil)
            // Lore's one crud is members-only: the count is what the caller may read.
            let loreAnonymous = try await client.execute(uri: "/api/users/@lore", method: .get)
            #expect(try loreAnonymous.profile.crudsCount == 0)
            let loreSignedIn = try await client.execute(uri: "/api/users/@lore", method: .get, headers: .bearer())
            #expect(try loreSignedIn.profile.crudsCount == 1)
            for handle in ["@nobody", "@%27", "@" + String(repeating: "a", count: 300)] {
                let missing = try await client.execute(uri: "/api/users/\(handle)", method: .get)
                #expect(missing.status == .notFound && missing.errorCode == "not_found", "\(handle)")
            }
        }
    }

    @Test(arguments: kinds) func theCallerUpdatesTheirOwnProfileWithPutOrPost(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let put = try await client.execute(
                uri: "/api/profile/update", method: .put, headers: .json(),
                body: .json(#"{"display_name": "  Andrew B.  ", "bio": "Cloud fan."}"#))
            #expect(put.status == .ok)
            #expect(try put.profile.displayName == "Andrew B.")
            #expect(try put.profile.bio == "Cloud fan.")
            let shown = try await client.execute(uri: "/api/users/@andrewbrown", method: .get)
            #expect(try shown.profile.displayName == "Andrew B.")
            let home = try await client.execute(uri: "/api/activities/home", method: .get)
            #expect(try home.cruds.contains { $0.handle == "andrewbrown" })
            #expect(
                try home.cruds.filter { $0.handle == "andrewbrown" }.allSatisfy {
                    $0.displayName == "Andrew B."
                })
            let post = try await client.execute(
                uri: "/api/profile/update", method: .post, headers: .json(),
                body: .json(#"{"display_name": "Andrew Brown", "bio": "   "}"#))
            #expect(post.status == .ok)
            #expect(post.object["bio"] is NSNull, "present, and null")
            #expect(try post.profile.bio == nil)
            let anonymous = try await client.execute(
                uri: "/api/profile/update", method: .put, headers: .json(sub: nil),
                body: .json(#"{"display_name": "Nobody"}"#))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test(arguments: kinds) func everyProfileProblemIsReportedAsABareArray(kind: StoreKind) async throws {
        let cases: [(String, [String])] = [
            (#"{"display_name": "", "bio": ""}"#, ["display_name_blank"]),
            (#"{"bio": "hi"}"#, ["display_name_blank"]),
            (#"{"display_name": 7, "bio": ["x"]}"#, ["display_name_blank", "bio_invalid"]),
            (#"{"display_name": "ok", "bio": {}}"#, ["bio_invalid"]),
            (#"{"display_name": " \#(String(repeating: "n", count: 50))"}"#, ["display_name_exceed_max_chars"]),
            (#"{"display_name": "\#(String(repeating: "n", count: 51))"}"#, ["display_name_exceed_max_chars"]),
            (
                #"{"display_name": "\#(String(repeating: "n", count: 51))", "bio": "\#(String(repeating: "b", count: 161))"}"#,
                ["display_name_exceed_max_chars", "bio_exceed_max_chars"]
            ),
            (#"{"display_name": "\#(String(repeating: "\\u200d", count: 300))"}"#, ["display_name_exceed_max_chars"]),
            (
                #"{"display_name": "ok", "bio": "\#(String(repeating: "e\\u0301\\u0301\\u0301\\u0301", count: 160))"}"#,
                ["bio_exceed_max_chars"]
            ),
        ]
        try await withApp(kind) { client in
            for (body, codes) in cases {
                let response = try await client.execute(
                    uri: "/api/profile/update", method: .put, headers: .json(), body: .json(body))
                #expect(response.status == .unprocessableContent, "\(body.prefix(60))")
                #expect(response.validationErrors == codes, "\(body.prefix(60))")
            }
            let atTheBound = try await client.execute(
                uri: "/api/profile/update", method: .put, headers: .json(),
                body: .json(
                    #"{"display_name": "\#(String(repeating: "n", count: 50))", "bio": "\#(String(repeating: "é", count: 160))"}"#
                ))
            #expect(atTheBound.status == .ok)
        }
    }

    @Test(arguments: kinds) func theUserFeedIsAProfileAndItsCruds(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let feed = try await client.execute(uri: "/api/activities/@worf?limit=1", method: .get)
            #expect(feed.status == .ok)
            let page = try feed.decode(UserFeedBody.self)
            #expect(page.profile.handle == "worf")
            #expect(page.activities.map(\.handle) == ["worf"])
            let missing = try await client.execute(uri: "/api/activities/@nobody", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test(arguments: kinds) func theShowPageReadsACrudByItsAuthorsHandle(kind: StoreKind) async throws {
        try await withApp(kind) { client in
            let home = try await client.execute(uri: "/api/activities/home", method: .get)
            let withReplies = try #require(try home.cruds.first { $0.repliesCount > 0 })
            let uuid = withReplies.uuid
            let handle = withReplies.handle
            let shown = try await client.execute(uri: "/api/activities/@\(handle)/status/\(uuid)", method: .get)
            #expect(shown.status == .ok)
            let page = try shown.decode(ShowBody.self)
            #expect(page.activity.uuid == uuid)
            #expect(!page.replies.isEmpty && page.replies.allSatisfy { $0.replyToActivityUuid == uuid })
            let someoneElses = try await client.execute(uri: "/api/activities/@lore/status/\(uuid)", method: .get)
            #expect(someoneElses.status == .notFound)
            let unknown = try await client.execute(
                uri: "/api/activities/@\(handle)/status/\(UUID().uuidString.lowercased())", method: .get)
            #expect(unknown.status == .notFound)
            let notAUUID = try await client.execute(uri: "/api/activities/@\(handle)/status/nope", method: .get)
            #expect(notAUUID.status == .badRequest)
        }
    }
}
