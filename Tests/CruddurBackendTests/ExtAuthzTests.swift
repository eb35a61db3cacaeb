import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("The ext_authz check applies the backend's route policy")
struct ExtAuthzTests {
    @Test func protectedRoutesNeedAValidToken() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let anonymous = try await client.execute(uri: "/ext_authz/api/activities", method: .post)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="cruddur""#)
            let forged = try await client.execute(
                uri: "/ext_authz/api/activities/notifications", method: .get,
                headers: [.authorization: "Bearer " + TestTokens.token(key: TestKeys.stranger)])
            #expect(forged.status == .unauthorized)
            #expect(forged.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            let valid = try await client.execute(
                uri: "/ext_authz/api/activities/68f126b0-1ceb-4a33-88be-d90fa7109eee/reply", method: .post,
                headers: .bearer())
            #expect(valid.status == .ok)
            let user = try #require(valid.headers[.init("x-current-user")!])
            struct CurrentUser: Decodable {
                var sub: String
                var clientID: String

                enum CodingKeys: String, CodingKey {
                    case sub
                    case clientID = "client_id"
                }
            }
            let claims = try JSONDecoder().decode(CurrentUser.self, from: Data(user.utf8))
            #expect(claims.sub == "sub-andrew")
            #expect(claims.clientID == TestTokens.clientID)
            #expect(!user.contains("eyJ"), "the token itself is not forwarded in the header")
        }
    }

    @Test func publicRoutesPassAndUnknownOnesAre404() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let home = try await client.execute(uri: "/ext_authz/api/activities/home", method: .get)
            #expect(home.status == .ok)
            #expect(home.headers[.init("x-current-user")!] == nil)
            let invalidOnPublic = try await client.execute(
                uri: "/ext_authz/api/activities/home", method: .get, headers: [.authorization: "Bearer junk"])
            #expect(invalidOnPublic.status == .ok)
            let signedIn = try await client.execute(
                uri: "/ext_authz/api/activities/home", method: .get, headers: .bearer())
            #expect(signedIn.headers[.init("x-current-user")!] != nil)
            let unknown = try await client.execute(uri: "/ext_authz/api/nothing/here", method: .delete)
            #expect(unknown.status == .notFound)
            let wrongMethod = try await client.execute(uri: "/ext_authz/api/activities/home", method: .delete)
            #expect(wrongMethod.status == .methodNotAllowed)
            let outsideTheAPI = try await client.execute(uri: "/ext_authz/favicon.ico", method: .get)
            #expect(outsideTheAPI.status == .ok)
        }
    }

    /// Hummingbird's router skips empty segments; the check must judge such paths as the router serves them.
    @Test(arguments: [
        "/api//activities/notifications", "/api/activities/notifications/", "//api/activities/notifications",
        "/api/activities//notifications//",
    ])
    func pathVariantsAreJudgedAsTheRouterServesThem(path: String) async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let served = try await client.execute(uri: path, method: .get)
            #expect(served.status == .unauthorized)
            let checked = try await client.execute(uri: "/ext_authz" + path, method: .get)
            #expect(checked.status == .unauthorized)
        }
    }

    @Test func requiredGroupsAnswer403() async throws {
        let configuration = try TestApp.configuration(["AUTH_REQUIRED_GROUPS": "cruddur-writers"])
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers(), configuration: configuration)
        try await app.test(.router) { client in
            let denied = try await client.execute(uri: "/ext_authz/api/activities", method: .post, headers: .bearer())
            #expect(denied.status == .forbidden)
            #expect(denied.headers[.wwwAuthenticate]?.contains(#"error="insufficient_scope""#) == true)
            let direct = try await client.execute(
                uri: "/api/activities/notifications", method: .get, headers: .bearer())
            #expect(direct.status == .forbidden)
            #expect(direct.errorCode == "insufficient_scope")
            let member = TestTokens.token(claims: TestTokens.claims(["cognito:groups": ["cruddur-writers"]]))
            let allowed = try await client.execute(
                uri: "/api/activities/notifications", method: .get, headers: [.authorization: "Bearer \(member)"])
            #expect(allowed.status == .ok)
        }
    }
}
