import CruddurAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("The HTTP edge: routing misses, CORS, request ids, health")
struct EdgeRouteTests {
    @Test func unknownRouteIsJSON404() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            for uri in ["/", "/api", "/api/activities/home/extra", "/api/users/@worf/long", "/favicon.ico"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.errorCode == "not_found")
            }
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let delete = try await client.execute(uri: "/api/activities/home", method: .delete)
            #expect(delete.status == .methodNotAllowed)
            #expect(delete.headers[.allow] == "GET, HEAD, OPTIONS")
            #expect(delete.errorCode == "method_not_allowed")
            let get = try await client.execute(uri: "/api/activities", method: .get)
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST, OPTIONS")
            let put = try await client.execute(uri: "/api/activities/\(UUID().uuidString)", method: .put)
            #expect(put.headers[.allow] == "GET, HEAD, OPTIONS")
            let options = try await client.execute(uri: "/api/activities", method: .options)
            #expect(options.status == .noContent)
            #expect(options.headers[.allow] == "POST, OPTIONS")
            let head = try await client.execute(uri: "/api/activities/home", method: .head)
            #expect(head.status == .ok)
        }
    }

    @Test func everyRouteInTheTableIsRoutedWithItsPolicy() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            for route in APIRoutes.all {
                let uri = route.path
                    .replacingOccurrences(of: "{uuid}", with: "68f126b0-1ceb-4a33-88be-d90fa7109eee")
                    .replacingOccurrences(of: "@{handle}", with: "@worf")
                let response = try await client.execute(uri: uri, method: route.method)
                #expect(response.status != .notFound || route.path.contains("{"), "\(route.method) \(uri)")
                #expect(response.status != .methodNotAllowed, "\(route.method) \(uri)")
                #expect((response.status == .unauthorized) == (route.access == .protected), "\(route.method) \(uri)")
            }
        }
    }

    @Test func corsPreflightFromTheFrontendNeedsNoToken() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let preflight = try await client.execute(
                uri: "/api/activities", method: .options,
                headers: [
                    .origin: TestApp.frontend, .accessControlRequestMethod: "POST",
                    .accessControlRequestHeaders: "authorization, content-type",
                ])
            #expect(preflight.status == .noContent)
            #expect(preflight.headers[.accessControlAllowOrigin] == TestApp.frontend)
            #expect(preflight.headers[.accessControlAllowMethods] == "GET, POST, PUT, OPTIONS")
            #expect(
                preflight.headers[.accessControlAllowHeaders]
                    == "Authorization, Content-Type, Idempotency-Key, traceparent")
            #expect(preflight.headers[.accessControlExposeHeaders] == "Link, X-Request-Id")
            #expect(preflight.headers[.accessControlMaxAge] != nil)
            #expect(preflight.headers[.vary] == "Origin")
            let get = try await client.execute(
                uri: "/api/activities/home", method: .get, headers: [.origin: TestApp.frontend + "/"])
            #expect(get.headers[.accessControlAllowOrigin] == TestApp.frontend + "/")
            let error = try await client.execute(uri: "/nope", method: .get, headers: [.origin: TestApp.frontend])
            #expect(error.headers[.accessControlAllowOrigin] == TestApp.frontend)
        }
    }

    @Test func otherOriginsGetNoCORSHeaders() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            for origin in [
                "http://evil.example", "http://localhost:3001", "null", "http://localhost:3000.evil.example",
            ] {
                let preflight = try await client.execute(
                    uri: "/api/activities", method: .options,
                    headers: [.origin: origin, .accessControlRequestMethod: "POST"])
                #expect(preflight.headers[.accessControlAllowOrigin] == nil, "\(origin)")
                #expect(preflight.headers[.accessControlAllowMethods] == nil)
                let get = try await client.execute(
                    uri: "/api/activities/home", method: .get, headers: [.origin: origin])
                #expect(get.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }

    @Test func requestIDsAreEchoedWhenSaneAndReplacedOtherwise() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let echoed = try await client.execute(
                uri: "/api/health", method: .get, headers: [.init("X-Request-Id")!: "abc-123_x.y"])
            #expect(echoed.headers[.init("X-Request-Id")!] == "abc-123_x.y")
            for insane in [String(repeating: "a", count: 200), "a b", "<script>", "x\u{7f}"] {
                let response = try await client.execute(
                    uri: "/api/activities/nope", method: .get, headers: [.init("X-Request-Id")!: insane])
                let id = try #require(response.headers[.init("X-Request-Id")!])
                #expect(id != insane && !id.isEmpty)
            }
            let generated = try await client.execute(uri: "/api/nope", method: .get)
            #expect(generated.headers[.init("X-Request-Id")!]?.isEmpty == false)
        }
    }

    @Test func healthAndReadiness() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            let live = try await client.execute(uri: "/api/health", method: .get)
            #expect(live.status == .ok)
            // Sign-in is configured but no key set has loaded yet: not ready.
            let cold = try await client.execute(uri: "/api/health-check", method: .get)
            #expect(cold.status == .serviceUnavailable)
            #expect(try cold.decode(HealthBody.self).checks["jwks"] == "down")
            _ = try await client.execute(uri: "/api/activities/home", method: .get, headers: .bearer())
            let ready = try await client.execute(uri: "/api/health-check", method: .get)
            #expect(ready.status == .ok)
            let health = try ready.decode(HealthBody.self)
            #expect(health.success)
            #expect(health.ver == 1)
            let checks = health.checks
            #expect(checks["database"] == "memory")
            #expect(checks["jwks"] != nil)
        }
    }

    @Test(arguments: [
        "Bearer", "Bearer  ", "Basic dXNlcjpwYXNz", "Bearer a b", "Bearer <9 KiB>",
        "Bearer e30.e30.e30", "Bearer ...", "Token abc",
    ])
    func oddAuthorizationHeadersNeverBreakPublicRoutes(value: String) async throws {
        let value = value.replacingOccurrences(of: "<9 KiB>", with: String(repeating: "a", count: 9 * 1024))
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.live) { client in
            let response = try await client.execute(
                uri: "/api/activities/home", method: .get, headers: [.authorization: value])
            #expect(response.status == .ok)
            #expect(response.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            let protected = try await client.execute(
                uri: "/api/activities/notifications", method: .get, headers: [.authorization: value])
            #expect(protected.status == .unauthorized)
        }
    }

    @Test func nullTokensCountAsAnonymous() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            for value in ["Bearer null", "Bearer undefined", "bearer null"] {
                let response = try await client.execute(
                    uri: "/api/activities/home", method: .get, headers: [.authorization: value])
                #expect(response.status == .ok)
                #expect(response.headers[.wwwAuthenticate] == nil)
                let protected = try await client.execute(
                    uri: "/api/activities/notifications", method: .get, headers: [.authorization: value])
                #expect(protected.headers[.wwwAuthenticate] == #"Bearer realm="cruddur""#)
            }
        }
    }

    @Test func repeatedAuthorizationHeadersAreRefused() async throws {
        let app = try TestApp.make(store: try TestApp.seededStore())
        try await app.test(.router) { client in
            var headers = HTTPFields.bearer()
            headers.append(contentsOf: HTTPFields.bearer(sub: "sub-worf"))
            let response = try await client.execute(
                uri: "/api/activities/notifications", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate]?.contains("more than one") == true)
        }
    }
}
