import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Hostile input at the routes")
struct HardeningRouteTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    @Test(arguments: [
        "-9223372036854775808_", "9223372036854775807_", "253402300800000000_", "-62135596800000001_",
        "99999-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T00:00:00+24:00",
    ])
    func cursorsOutsideTheTimestampRangeAre422(before: String) async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            for path in ["/api/activities/home", "/api/activities/@worf", "/api/activities/search?term=a"] {
                let separator = path.contains("?") ? "&" : "?"
                let response = try await client.execute(
                    uri:
                        "\(path)\(separator)before=\(before.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)",
                    method: .get)
                #expect(response.status == .unprocessableContent, "\(path)")
                #expect(response.validationErrors == ["before_invalid"])
            }
        }
    }

    @Test func aMessageShortInCharactersButLongInScalarsIs422() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let joiners = "a" + String(repeating: "\u{200D}", count: 1200)
            let body = try JSONSerialization.data(withJSONObject: ["message": joiners, "ttl": "1-day"])
            let response = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(), body: ByteBuffer(bytes: body))
            #expect(response.status == .unprocessableContent)
            #expect(response.validationErrors == ["message_exceed_max_chars"])
        }
    }

    /// The length is the message's as sent: padding that trimming would remove still counts, as the schema's
    /// `maxLength` counts it (schemathesis found a padded 1025-scalar reply accepted).
    @Test func paddingCountsTowardsTheLength() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            for (message, status) in [
                ("\t" + String(repeating: "a", count: 280), HTTPResponse.Status.unprocessableContent),
                (String(repeating: "a", count: 280), .ok),
            ] {
                let body = try JSONSerialization.data(withJSONObject: ["message": message, "ttl": "1-day"])
                let response = try await client.execute(
                    uri: "/api/activities", method: .post, headers: .json(), body: ByteBuffer(bytes: body))
                #expect(response.status == status)
            }
        }
    }

    /// PostgreSQL text cannot hold NUL: it is dropped, as the contract says, rather than refusing the crud.
    @Test func nulCharactersAreDroppedFromMessages() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(),
                body: .json(#"{"message": "a\u0000b", "ttl": "1-day"}"#))
            #expect(response.status == .ok)
            #expect(try response.crud.message == "ab")
        }
    }

    @Test func aRetriedPostWithTheSameKeyStoresOnce() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            var headers = HTTPFields.json()
            headers[Self.key] = "7b0c4a4e-retry"
            let body = #"{"message": "exactly once", "ttl": "1-day"}"#
            let first = try await client.execute(
                uri: "/api/activities", method: .post, headers: headers, body: .json(body))
            let second = try await client.execute(
                uri: "/api/activities", method: .post, headers: headers, body: .json(body))
            #expect(first.status == .ok && second.status == .ok)
            #expect(try first.crud.uuid == second.crud.uuid)
            let search = try await client.execute(uri: "/api/activities/search?term=exactly%20once", method: .get)
            #expect(try search.cruds.count == 1)
            let other = try await client.execute(
                uri: "/api/activities", method: .post, headers: headers,
                body: .json(#"{"message": "something else", "ttl": "1-day"}"#))
            #expect(other.status == .conflict)
            #expect(other.errorCode == "idempotency_key_reused")
            // Another caller's identical key is their own.
            var worf = HTTPFields.json(sub: "sub-worf")
            worf[Self.key] = "7b0c4a4e-retry"
            let theirs = try await client.execute(
                uri: "/api/activities", method: .post, headers: worf, body: .json(body))
            #expect(theirs.status == .ok)
            #expect(try theirs.crud.uuid != first.crud.uuid)
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "has space", "tab\tkey", "é"])
    func aMalformedIdempotencyKeyIs400(key: String) async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            var headers = HTTPFields.json()
            headers[Self.key] = key
            let response = try await client.execute(
                uri: "/api/activities", method: .post, headers: headers,
                body: .json(#"{"message": "hi", "ttl": "1-day"}"#))
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "invalid_idempotency_key")
        }
    }

    @Test func writesPastTheRateLimitAre429WithRetryAfter() async throws {
        let configuration = try TestApp.configuration(["WRITE_RATE_PER_MINUTE": "3"])
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers(), configuration: configuration)
        try await app.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            var last: TestResponse?
            for index in 0..<5 {
                let response = try await client.execute(
                    uri: "/api/activities", method: .post, headers: .json(),
                    body: .json(#"{"message": "flood \#(index)", "ttl": "1-day"}"#))
                statuses.append(response.status)
                last = response
            }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests, .tooManyRequests])
            #expect(last?.errorCode == "rate_limited")
            #expect(Int(last?.headers[.retryAfter] ?? "") ?? 0 >= 1)
            // Another caller has a bucket of their own, and reads are never limited.
            let worf = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(sub: "sub-worf"),
                body: .json(#"{"message": "not flooding", "ttl": "1-day"}"#))
            #expect(worf.status == .ok)
            let home = try await client.execute(uri: "/api/activities/home", method: .get, headers: .bearer())
            #expect(home.status == .ok)
        }
    }

    @Test func showPagesItsRepliesWithALinkHeader() async throws {
        let app = try TestApp.make(store: try await TestApp.storeWithSignedInUsers())
        try await app.test(.router) { client in
            let crud = try await client.execute(
                uri: "/api/activities", method: .post, headers: .json(),
                body: .json(#"{"message": "popular", "ttl": "1-day"}"#))
            let uuid = try crud.crud.uuid
            for index in 0..<5 {
                let reply = try await client.execute(
                    uri: "/api/activities/\(uuid)/reply", method: .post, headers: .json(sub: "sub-worf"),
                    body: .json(#"{"message": "reply \#(index)"}"#))
                #expect(reply.status == .ok)
            }
            let home = try await client.execute(uri: "/api/activities/home", method: .get)
            let embedded = try home.cruds.first { $0.uuid == uuid }?.replies
            #expect(embedded?.map(\.message) == ["reply 2", "reply 3", "reply 4"])
            let first = try await client.execute(uri: "/api/activities/\(uuid)?limit=2", method: .get)
            #expect(try first.crud.replies.map(\.message) == ["reply 3", "reply 4"])
            let link = try #require(first.headers[.init("Link")!])
            let next = String(link.dropFirst().prefix { $0 != ">" })
            let second = try await client.execute(uri: next, method: .get)
            #expect(try second.crud.replies.map(\.message) == ["reply 1", "reply 2"])
        }
    }
}
