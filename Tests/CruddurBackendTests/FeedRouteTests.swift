import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Feed routes on the embedded store")
struct FeedRouteTests {
    let membersCrud = "My dear brother, it the humans that are the problem"

    @Test func homeForAnonymousHasPublicUnexpiredCrudsNewestFirst() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/home", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let items = try response.cruds
            let messages = items.map(\.message)
            #expect(messages.contains("Cloud is fun!"))
            #expect(!messages.contains(membersCrud))
            #expect(!messages.contains("The world is not enough"))
            #expect(!messages.contains("Only an expired crud would say this."))
            #expect(!messages.contains("This post has no honor!"), "replies are nested, not top-level")
            let created = items.map(\.createdAt)
            #expect(created == created.sorted(by: >))
            let cloud = try #require(items.first { $0.message == "Cloud is fun!" })
            #expect(cloud.handle == "andrewbrown")
            #expect(cloud.displayName == "Andrew Brown")
            #expect(cloud.repliesCount == 1)
            #expect(cloud.likesCount == 5)
            #expect(cloud.createdAt.hasSuffix("Z"))
            let replies = cloud.replies
            #expect(replies.first?.message == "This post has no honor!")
            #expect(replies.first?.replyToActivityUuid == "68f126b0-1ceb-4a33-88be-d90fa7109eee")
        }
    }

    @Test func homeForSignedInCallerAddsMembersOnlyCruds() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/home", method: .get, headers: .bearer())
            #expect(response.status == .ok)
            #expect(response.headers[.wwwAuthenticate] == nil)
            #expect(try response.cruds.contains { $0.message == membersCrud })
        }
    }

    @Test func homeWithInvalidTokenAnswersAnonymouslyWithChallenge() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let expired = TestTokens.token(claims: TestTokens.claims(["exp": Int(Date().timeIntervalSince1970) - 3600]))
            let response = try await client.execute(
                uri: "/api/activities/home", method: .get, headers: [.authorization: "Bearer \(expired)"])
            #expect(response.status == .ok)
            #expect(try !response.cruds.contains { $0.message == membersCrud })
            let challenge = try #require(response.headers[.wwwAuthenticate])
            #expect(challenge.contains(#"error="invalid_token""#))
            #expect(challenge.contains("expired"))
            #expect(!challenge.contains(expired))
        }
    }

    @Test func pagingFollowsLinkHeadersWithoutRepeats() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            var seen: [String] = []
            var next: String? = "/api/activities/home?limit=2"
            var pages = 0
            while let uri = next, pages < 10 {
                let response = try await client.execute(uri: uri, method: .get, headers: .bearer())
                #expect(response.status == .ok)
                #expect(try response.cruds.count <= 2)
                seen += try response.cruds.compactMap { $0.uuid }
                next = response.headers[.init("Link")!].flatMap(Self.nextURI)
                pages += 1
            }
            let all = try await client.execute(uri: "/api/activities/home?limit=100", method: .get, headers: .bearer())
            #expect(try seen == all.cruds.compactMap { $0.uuid })
            #expect(all.headers[.init("Link")!] == nil)
            #expect(pages == 3)
        }
    }

    @Test func beforeAcceptsATimestamp() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let all = try await client.execute(uri: "/api/activities/home", method: .get).cruds
            let cutoff = all[1].createdAt
            let older = try await client.execute(uri: "/api/activities/home?before=\(cutoff)", method: .get)
            #expect(older.status == .ok)
            #expect(
                try older.cruds.map(\.uuid) == all.dropFirst(2).map(\.uuid))
        }
    }

    @Test(arguments: ["limit=0", "limit=-1", "limit=abc", "limit=100000", "limit=", "before=yesterday", "before=12_x"])
    func badPagingParametersAre422(query: String) async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/home?\(query)", method: .get)
            #expect(response.status == .unprocessableContent)
            #expect(response.validationErrors == [query.hasPrefix("limit") ? "limit_invalid" : "before_invalid"])
        }
    }

    @Test func userFeedHasOnlyThatUsersUnexpiredCruds() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/@AndrewBrown", method: .get)
            #expect(response.status == .ok)
            let page = try response.decode(UserFeedBody.self)
            #expect(page.activities.map(\.handle) == ["andrewbrown"])
            #expect(page.activities.map(\.message) == ["Cloud is fun!"])
            #expect(page.profile.handle == "andrewbrown" && page.profile.crudsCount == 1)
            let lore = try await client.execute(uri: "/api/activities/@lore", method: .get)
            #expect(lore.status == .ok)
            #expect(try lore.decode(UserFeedBody.self).activities.isEmpty)
            #expect(try lore.decode(UserFeedBody.self).profile.crudsCount == 0)
            let loreSignedIn = try await client.execute(uri: "/api/activities/@lore", method: .get, headers: .bearer())
            #expect(try loreSignedIn.decode(UserFeedBody.self).activities.count == 1)
        }
    }

    @Test(arguments: [
        "@nobody", "@%25", "@%27", "@..", "@a%27%20OR%201=1--", "@" + String(repeating: "a", count: 300), "@%zz",
    ])
    func unknownOrImpossibleHandlesAre404(handle: String) async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            for uri in ["/api/activities/\(handle)", "/api/users/\(handle)/short"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test func userShortProfile() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/users/@worf/short", method: .get)
            #expect(response.status == .ok)
            let short = try response.decode(UserShortBody.self)
            #expect(short.handle == "worf")
            #expect(short.displayName == "Worf")
            #expect(short.uuid == "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a03")
            #expect(response.object.count == 3)
        }
    }

    @Test func searchIsCaseInsensitiveAndLiteral() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/search?term=CLOUD", method: .get)
            #expect(response.status == .ok)
            #expect(try response.cruds.map { $0.message } == ["Cloud is fun!"])
            let spaced = try await client.execute(uri: "/api/activities/search?term=no+honor", method: .get)
            #expect(try spaced.cruds.map { $0.message } == ["This post has no honor!"])
            for term in ["%25", "_", "%27%20OR%20%271%27=%271", "expired"] {
                let literal = try await client.execute(uri: "/api/activities/search?term=\(term)", method: .get)
                #expect(literal.status == .ok)
                #expect(try literal.cruds.isEmpty, "\(term)")
            }
        }
    }

    @Test(arguments: ["", "?term=", "?term=%20%20", "?other=1"])
    func blankSearchIs422(query: String) async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/search\(query)", method: .get)
            #expect(response.status == .unprocessableContent)
            #expect(response.validationErrors == ["search_term_blank"])
        }
    }

    @Test func showHasRepliesAndHidesExpiredAndMembersOnly() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let show = try await client.execute(
                uri: "/api/activities/68f126b0-1ceb-4a33-88be-d90fa7109eee", method: .get)
            #expect(show.status == .ok)
            #expect(try show.crud.replies.count == 1)
            let upper = try await client.execute(
                uri: "/api/activities/68F126B0-1CEB-4A33-88BE-D90FA7109EEE", method: .get)
            #expect(try upper.crud.uuid == "68f126b0-1ceb-4a33-88be-d90fa7109eee")
            let expired = try await client.execute(
                uri: "/api/activities/9f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c01", method: .get)
            #expect(expired.status == .notFound)
            let members = "/api/activities/317b4cd3-8e7a-4c4b-9d6e-4bb0d1a0c2f1"
            #expect(try await client.execute(uri: members, method: .get).status == .notFound)
            #expect(try await client.execute(uri: members, method: .get, headers: .bearer()).status == .ok)
            let unknown = try await client.execute(uri: "/api/activities/\(UUID().uuidString)", method: .get)
            #expect(unknown.status == .notFound)
            #expect(unknown.errorCode == "not_found")
            for bad in ["not-a-uuid", "68f126b0-1ceb-4a33-88be-d90fa7109ee", "%27", "68f126b01ceb4a3388bed90fa7109eee"]
            {
                let response = try await client.execute(uri: "/api/activities/\(bad)", method: .get)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.errorCode == "invalid_uuid")
            }
        }
    }

    static func nextURI(_ link: String) -> String? {
        guard link.hasSuffix("rel=\"next\""), let start = link.firstIndex(of: "<"), let end = link.firstIndex(of: ">")
        else { return nil }
        return String(link[link.index(after: start)..<end])
    }
}
