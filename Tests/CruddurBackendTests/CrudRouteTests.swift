import CruddurDomain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Posting, replying and notifications on the embedded store")
struct CrudRouteTests {
    @Test func createNeedsAToken() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let body = ByteBuffer.json(#"{"message": "hi", "ttl": "1-day"}"#)
            let anonymous = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(sub: nil), body: body)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == #"Bearer realm="cruddur""#)
            #expect(anonymous.errorCode == "unauthenticated")
            var forged = HTTPFields.json(sub: nil)
            forged[.authorization] = "Bearer " + TestTokens.token(key: TestKeys.stranger)
            let invalid = try await client.execute(uri: "/api/activities", method: .post, headers: forged, body: body)
            #expect(invalid.status == .unauthorized)
            #expect(invalid.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true)
        }
    }

    @Test func createPostsACrudThatAppearsOnHome() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(),
                body: .json(#"{"message": "  Hello from the tests  ", "ttl": "3-hours"}"#))
            #expect(response.status == .ok)
            let crud = try response.crud
            #expect(crud.message == "Hello from the tests")
            #expect(crud.handle == "andrewbrown")
            #expect(crud.repliesCount == 0)
            let created = try #require(RFC3339.date(from: crud.createdAt))
            let expires = try #require(RFC3339.date(from: crud.expiresAt))
            #expect(abs(expires.timeIntervalSince(created) - 3 * 3600) < 0.01)
            let home = try await client.execute(uri: "/api/activities/home", method: .get)
            #expect(try home.cruds.first?.uuid == crud.uuid)
        }
    }

    @Test func unknownCallerIsForbiddenWhenProvisioningIsOff() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(sub: "sub-stranger"),
                body: .json(#"{"message": "hi", "ttl": "1-day"}"#))
            #expect(response.status == .forbidden)
            #expect(response.errorCode == "user_not_provisioned")
        }
    }

    @Test(arguments: [
        (#"{"message": "hi""#, 400, "malformed_json"),
        ("", 400, "malformed_json"),
        (#"["message", "ttl"]"#, 400, "invalid_body"),
        ("42", 400, "invalid_body"),
        ("null", 400, "invalid_body"),
        (#"{"message": 42, "ttl": "1-day"}"#, 422, "message_blank"),
        (#"{"message": null, "ttl": "1-day"}"#, 422, "message_blank"),
        (#"{"ttl": "1-day"}"#, 422, "message_blank"),
        (#"{}"#, 422, "message_blank,ttl_blank"),
        (#"{"message": "hi", "ttl": "2-days"}"#, 422, "ttl_blank"),
        (#"{"message": "hi", "ttl": 30}"#, 422, "ttl_blank"),
        (#"{"message": "   \n\t ", "ttl": "1-day"}"#, 422, "message_blank"),
        (#"{"message": " \u0000\u0000 ", "ttl": "1-day"}"#, 422, "message_blank"),
    ])
    func badCreateBodies(body: String, status: Int, code: String) async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(), body: .json(body))
            #expect(response.status.code == status, "\(body)")
            if status == 422 {
                #expect(response.validationErrors == code.split(separator: ",").map(String.init))
            } else {
                #expect(response.errorCode == code)
            }
        }
    }

    @Test func messageLengthCountsCharactersNotBytes() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            for (count, status) in [(280, 200), (281, 422)] {
                let message = String(repeating: "🦄", count: count)
                let response = try await client.execute(
                    uri: "/api/activities", method: .post, headers: .json(),
                    body: .json(#"{"message": "\#(message)", "ttl": "1-hour"}"#))
                #expect(response.status.code == status)
                if status == 422 { #expect(response.validationErrors == ["message_exceed_max_chars"]) }
            }
            let both = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(),
                body: .json(#"{"message": "\#(String(repeating: "x", count: 281))"}"#))
            #expect(both.validationErrors == ["message_exceed_max_chars", "ttl_blank"])
        }
    }

    @Test func bodyOverTheLimitIs413AndOtherContentTypesAre415() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.live) { client in
            let huge = ByteBuffer(
                string: #"{"message": ""# + String(repeating: "a", count: 70_000) + #"", "ttl": "1-day"}"#)
            let tooLarge = try await client.execute(uri: "/api/activities", method: .post, headers: .json(), body: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "payload_too_large")
            for contentType in ["text/plain", "application/x-www-form-urlencoded", nil] {
                var headers = HTTPFields.bearer()
                if let contentType { headers[.contentType] = contentType }
                let response = try await client.execute(
                    uri: "/api/activities", method: .post, headers: headers,
                    body: .json(#"{"message": "hi", "ttl": "1-day"}"#))
                #expect(response.status == .unsupportedMediaType)
                #expect(response.errorCode == "unsupported_media_type")
            }
            var charset = HTTPFields.bearer()
            charset[.contentType] = "Application/JSON; charset=UTF-8"
            let accepted = try await client.execute(
                uri: "/api/activities", method: .post, headers: charset,
                body: .json(#"{"message": "hi", "ttl": "1-day"}"#))
            #expect(accepted.status == .ok)
        }
    }

    @Test func replyBumpsParentAndNotifiesItsAuthor() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let parent = "68f126b0-1ceb-4a33-88be-d90fa7109eee"
            let reply = try await client.execute(
                uri: "/api/activities/\(parent)/reply", method: .post, headers: .json(sub: "sub-worf"),
                body: .json(#"{"message": "Still no honor."}"#))
            #expect(reply.status == .ok)
            #expect(try reply.crud.replyToActivityUuid == parent)
            #expect(try reply.crud.handle == "worf")
            let show = try await client.execute(uri: "/api/activities/\(parent)", method: .get)
            #expect(try show.crud.repliesCount == 2)
            #expect(try show.crud.replies.last?.message == "Still no honor.")
            let notifications = try await client.execute(
                uri: "/api/activities/notifications", method: .get, headers: .bearer())
            #expect(notifications.status == .ok)
            #expect(try notifications.cruds.first?.message == "Still no honor.")
            #expect(try notifications.cruds.allSatisfy { $0.handle != "andrewbrown" })
            let worfs = try await client.execute(
                uri: "/api/activities/notifications", method: .get, headers: .bearer(sub: "sub-worf"))
            #expect(try !worfs.cruds.contains { $0.message == "Still no honor." })
        }
    }

    @Test func replyValidation() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let parent = "/api/activities/68f126b0-1ceb-4a33-88be-d90fa7109eee/reply"
            let long = try await client.execute(
                uri: parent, method: .post, headers: .json(),
                body: .json(#"{"message": "\#(String(repeating: "r", count: 1024))"}"#))
            #expect(long.status == .ok)
            let tooLong = try await client.execute(
                uri: parent, method: .post, headers: .json(),
                body: .json(#"{"message": "\#(String(repeating: "r", count: 1025))"}"#))
            #expect(tooLong.validationErrors == ["message_exceed_max_chars"])
            let blank = try await client.execute(uri: parent, method: .post, headers: .json(), body: .json("{}"))
            #expect(blank.validationErrors == ["message_blank"])
            let unknown = try await client.execute(
                uri: "/api/activities/\(UUID().uuidString)/reply", method: .post, headers: .json(),
                body: .json(#"{"message": "hello?"}"#))
            #expect(unknown.status == .notFound)
            let expired = try await client.execute(
                uri: "/api/activities/9f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c01/reply", method: .post, headers: .json(),
                body: .json(#"{"message": "hello?"}"#))
            #expect(expired.status == .notFound)
            let badUUID = try await client.execute(
                uri: "/api/activities/nope/reply", method: .post, headers: .json(), body: .json(#"{"message": "x"}"#))
            #expect(badUUID.status == .badRequest)
            let anonymous = try await client.execute(
                uri: parent, method: .post, headers: .json(sub: nil), body: .json(#"{"message": "x"}"#))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func notificationsNeedAToken() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/api/activities/notifications", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer realm="cruddur""#)
        }
    }
}
