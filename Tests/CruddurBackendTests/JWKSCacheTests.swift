import CruddurAuth
import CruddurDomain
import Foundation
import HTTPTypes
import Testing

@Suite("The JWKS cache against a real HTTP key server")
struct JWKSCacheTests {
    func verifier(url: String, clock: TestClock = TestClock()) -> (CognitoTokenVerifier, JWKSCache) {
        let keys = JWKSCache(fetcher: JWKSFetcher(url: url, timeout: .seconds(2)), clock: clock.now)
        return (CognitoTokenVerifier(pool: TestTokens.pool, keys: keys, clock: clock.now), keys)
    }

    @Test func aRotationToANewKidIsPickedUp() async throws {
        let server = JWKSTestServer()
        try await server.run { url in
            let clock = TestClock()
            let (verifier, keys) = verifier(url: url, clock: clock)
            await keys.refresh(force: true)
            _ = try await verifier.verify(TestTokens.token()[...]).get()
            server.publish(TestKeys.jwksJSON([TestKeys.jwk(TestKeys.rotated, kid: "key-2")]))
            clock.advance(by: 11)
            let rotated = TestTokens.token(header: ["alg": "RS256", "kid": "key-2"], key: TestKeys.rotated)
            let identity = try await verifier.verify(rotated[...]).get()
            #expect(identity.sub == "sub-andrew")
            // key-1 left the set: its tokens, even cached ones, stop verifying.
            await #expect(throws: TokenRejection.unknownKey) {
                try await verifier.verify(TestTokens.token()[...]).get()
            }
        }
    }

    @Test func aThousandUnknownKidsCauseOneFetch() async throws {
        let server = JWKSTestServer()
        try await server.run { url in
            let clock = TestClock()
            let (verifier, keys) = verifier(url: url, clock: clock)
            await keys.refresh(force: true)
            clock.advance(by: 11)
            let before = server.fetches
            server.setDelay(.milliseconds(200))
            let rejections = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<1000 {
                    let token = TestTokens.token(header: ["alg": "RS256", "kid": "unknown-\(index)"])
                    group.addTask { (try? await verifier.verify(token[...]).get()) == nil }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(rejections == 1000)
            #expect(server.fetches - before == 1)
            // Within the rate window, more unknown kids fetch nothing.
            _ = await verifier.verify(TestTokens.token(header: ["alg": "RS256", "kid": "later"])[...])
            #expect(server.fetches - before == 1)
        }
    }

    @Test func keyServerDownAtStartThenUp() async throws {
        let server = JWKSTestServer()
        server.publish(Data("unavailable".utf8), status: .serviceUnavailable)
        try await server.run { url in
            let clock = TestClock()
            let (verifier, keys) = verifier(url: url, clock: clock)
            await keys.refresh(force: true)
            #expect(keys.health == .down)
            #expect(keys.lastError == .httpStatus(503))
            await #expect(throws: TokenRejection.keysUnavailable) {
                try await verifier.verify(TestTokens.token()[...]).get()
            }
            server.publish(TestKeys.jwksJSON([TestKeys.jwk(TestKeys.primary, kid: "key-1")]))
            clock.advance(by: 11)
            _ = try await verifier.verify(TestTokens.token()[...]).get()
            #expect(keys.health == .ok)
        }
    }

    @Test func cachedKeysKeepVerifyingWhenTheServerFailsLater() async throws {
        let server = JWKSTestServer()
        try await server.run { url in
            let (verifier, keys) = verifier(url: url)
            await keys.refresh(force: true)
            for (body, status, error) in [
                (Data("boom".utf8), HTTPResponse.Status.internalServerError, JWKSError.httpStatus(500)),
                (Data("<html>not json</html>".utf8), .ok, .notAKeySet),
                (Data(#"{"keys": []}"#.utf8), .ok, .noUsableKey),
                (Data(repeating: 0x20, count: 300 * 1024), .ok, .tooLarge),
            ] {
                server.publish(body, status: status)
                await keys.refresh(force: true)
                #expect(keys.lastError == error)
                #expect(keys.health == .degraded)
                let fresh = TestTokens.token(claims: TestTokens.claims(["jti": UUID().uuidString]))
                _ = try await verifier.verify(fresh[...]).get()
            }
        }
    }

    @Test func anUnreachableServerIsReportedNotFatal() async throws {
        let keys = JWKSCache(
            fetcher: JWKSFetcher(url: "http://127.0.0.1:9/pool/.well-known/jwks.json", timeout: .seconds(2)))
        await keys.refresh(force: true)
        #expect(keys.health == .down)
        guard case .transport? = keys.lastError else {
            Issue.record("expected a transport error, got \(String(describing: keys.lastError))")
            return
        }
    }

    @Test func unusableEntriesAreSkippedAndTheRestLoad() throws {
        let mixed = TestKeys.jwksJSON([
            ["kty": "oct", "kid": "hmac", "k": "c2VjcmV0"],
            TestKeys.jwk(TestKeys.stranger, kid: "enc", extra: ["use": "enc"]),
            TestKeys.jwk(TestKeys.stranger, kid: "ps", extra: ["alg": "PS256"]),
            ["kty": "EC", "kid": "ec", "crv": "P-256", "x": "AA", "y": "AA"],
            ["kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"],
            TestKeys.jwk(TestKeys.primary, kid: "key-1", extra: ["use": "sig", "alg": "RS256"]),
        ])
        let set = try JSONWebKeySet(json: mixed)
        #expect(Array(set.keys.keys) == ["key-1"])
        #expect(set.skipped == 5)
    }
}
