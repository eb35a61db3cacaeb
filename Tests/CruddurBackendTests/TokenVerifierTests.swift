import CruddurAuth
import CruddurDomain
import Crypto
import CryptoExtras
import Foundation
import Synchronization
import Testing

@Suite("Access token verification, rule by rule")
struct TokenVerifierTests {
    let verifier = TestTokens.verifier()
    let now = Int(Date().timeIntervalSince1970)

    func verify(_ token: String) async -> Result<CallerIdentity, TokenRejection> {
        await verifier.verify(token[...])
    }

    func expectRejected(_ token: String, _ expected: TokenRejection, sourceLocation: SourceLocation = #_sourceLocation)
        async
    {
        let result = await verify(token)
        #expect(throws: expected, sourceLocation: sourceLocation) { try result.get() }
    }

    @Test func aValidAccessTokenPassesWithItsClaims() async throws {
        let claims = TestTokens.claims(["cognito:groups": ["admins"], "scope": "openid profile"])
        let identity = try await verify(TestTokens.token(claims: claims)).get()
        #expect(identity.sub == "sub-andrew")
        #expect(identity.username == "andrew")
        #expect(identity.clientID == TestTokens.clientID)
        #expect(identity.groups == ["admins"])
        #expect(identity.scopes == ["openid", "profile"])
        #expect(!identity.description.contains("eyJ"), "the token never appears in descriptions")
    }

    @Test func algorithmIsPinnedToRS256() async {
        await expectRejected(TestTokens.token(header: ["alg": "none", "kid": "key-1"]), .unsupportedAlgorithm)
        await expectRejected(TestTokens.token(header: ["kid": "key-1"]), .unsupportedAlgorithm)
        await expectRejected(TestTokens.token(header: ["alg": "rs256", "kid": "key-1"]), .unsupportedAlgorithm)
        await expectRejected(TestTokens.token(header: ["alg": ["RS256"], "kid": "key-1"]), .unsupportedAlgorithm)
        let ps256 = TestTokens.token(header: ["alg": "PS256", "kid": "key-1"], sign: TestTokens.ps256)
        await expectRejected(ps256, .unsupportedAlgorithm)
        let pssUnderRS256 = TestTokens.token(sign: TestTokens.ps256)
        await expectRejected(pssUnderRS256, .badSignature)
        // HS256 keyed with the public key's bytes: the classic confusion attack.
        let publicBytes = try! TestKeys.primary.publicKey.getKeyPrimitives().modulus
        let hs256 = TestTokens.token(header: ["alg": "HS256", "kid": "key-1"]) { input, _ in
            Data(HMAC<SHA256>.authenticationCode(for: input, using: SymmetricKey(data: publicBytes)))
        }
        await expectRejected(hs256, .unsupportedAlgorithm)
        let unsigned =
            TestTokens.token(header: ["alg": "none", "kid": "key-1"]).split(separator: ".").prefix(2)
            .joined(separator: ".") + "."
        await expectRejected(unsigned, .malformed("missing signature"))
    }

    @Test func kidMustNameAKeyWithNoFallback() async {
        await expectRejected(TestTokens.token(header: ["alg": "RS256"]), .malformed("missing kid"))
        await expectRejected(TestTokens.token(header: ["alg": "RS256", "kid": 7]), .malformed("missing kid"))
        await expectRejected(TestTokens.token(header: ["alg": "RS256", "kid": "key-9"]), .unknownKey)
        await expectRejected(TestTokens.token(key: TestKeys.stranger), .badSignature)
        let critical = TestTokens.token(header: ["alg": "RS256", "kid": "key-1", "crit": ["exp"]])
        await expectRejected(critical, .malformed("crit header parameters are not supported"))
        // Headers that would let the token bring its own key are ignored, never trusted.
        let embedded = TestTokens.token(
            header: [
                "alg": "RS256", "kid": "key-9", "jwk": TestKeys.jwk(TestKeys.stranger, kid: "key-9"),
                "jku": "http://127.0.0.1:9/jwks.json",
            ],
            key: TestKeys.stranger)
        await expectRejected(embedded, .unknownKey)
    }

    @Test func issuerMustMatchExactly() async {
        for issuer in [
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool", TestTokens.issuer + "/",
            TestTokens.issuer.replacingOccurrences(of: "https", with: "http"), "",
        ] {
            await expectRejected(TestTokens.token(claims: TestTokens.claims(["iss": issuer])), .wrongIssuer)
        }
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["iss": nil])), .wrongIssuer)
    }

    @Test func onlyAccessTokensOfConfiguredClients() async {
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["token_use": "id"])), .notAccessToken)
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["token_use": nil])), .notAccessToken)
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["client_id": "other"])), .wrongClient)
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["client_id": nil])), .wrongClient)
        let audInstead = TestTokens.claims(["client_id": nil, "aud": TestTokens.clientID])
        await expectRejected(TestTokens.token(claims: audInstead), .wrongClient)
    }

    @Test func timeClaimsWithSkew() async throws {
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["exp": now - 61])), .expired)
        _ = try await verify(TestTokens.token(claims: TestTokens.claims(["exp": now - 30]))).get()
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["exp": nil])), .invalidClaim("exp"))
        await expectRejected(
            TestTokens.token(claims: TestTokens.claims(["exp": "\(now + 3600)"])), .invalidClaim("exp"))
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["exp": true])), .invalidClaim("exp"))
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["nbf": now + 120])), .notYetValid)
        _ = try await verify(TestTokens.token(claims: TestTokens.claims(["nbf": now + 30]))).get()
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["nbf": "soon"])), .invalidClaim("nbf"))
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["iat": now + 120])), .issuedInFuture)
        _ = try await verify(TestTokens.token(claims: TestTokens.claims(["iat": now + 30]))).get()
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["iat": "\(now)"])), .invalidClaim("iat"))
    }

    @Test func subjectAndUsernameAreStrings() async {
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["sub": nil])), .invalidClaim("sub"))
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["sub": 42])), .invalidClaim("sub"))
        await expectRejected(TestTokens.token(claims: TestTokens.claims(["username": nil])), .invalidClaim("username"))
    }

    @Test func framingIsStrict() async {
        let token = TestTokens.token()
        let parts = token.split(separator: ".").map(String.init)
        await expectRejected(parts.prefix(2).joined(separator: "."), .malformed("expected three segments"))
        await expectRejected(token + ".e30", .malformed("expected three segments"))
        await expectRejected(
            parts[0] + "=." + parts[1] + "." + parts[2], .malformed("segments must be unpadded base64url"))
        await expectRejected(
            parts[0] + "." + parts[1] + "." + parts[2] + "==", .malformed("segments must be unpadded base64url"))
        let plusSlash =
            parts[0] + "." + parts[1] + "."
            + parts[2].replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/")
        if plusSlash != token { await expectRejected(plusSlash, .malformed("segments must be unpadded base64url")) }
        await expectRejected(
            parts[0] + "." + parts[1] + " ." + parts[2], .malformed("segments must be unpadded base64url"))
        let arrayHeader = Base64URL.encode(Array("[1]".utf8))
        await expectRejected(arrayHeader + "." + parts[1] + "." + parts[2], .malformed("header is not a JSON object"))
        let garbagePayload = Base64URL.encode(Array("not json".utf8))
        await expectRejected(
            parts[0] + "." + garbagePayload + "." + parts[2], .malformed("payload is not a JSON object"))
        await expectRejected(parts[0] + "." + parts[1] + ".", .malformed("missing signature"))
        // A tampered payload keeps its old signature and must fail it.
        let tampered = TestTokens.claims(sub: "sub-worf")
        let tamperedPart = Base64URL.encode(
            try! JSONSerialization.data(withJSONObject: tampered, options: [.sortedKeys]))
        await expectRejected(parts[0] + "." + tamperedPart + "." + parts[2], .badSignature)
    }

    @Test func oversizedTokensAreRefusedBeforeParsing() async {
        let padding = String(repeating: "a", count: 9 * 1024)
        let big = TestTokens.token(claims: TestTokens.claims(["pad": padding]))
        await expectRejected(big, .tooLong)
    }

    @Test func cachedTokensAreRecheckedForExpiry() async throws {
        let clock = TestClock()
        let verifier = TestTokens.verifier(clock: clock.now)
        let token = TestTokens.token(claims: TestTokens.claims(["exp": now + 120]))
        _ = try await verifier.verify(token[...]).get()
        _ = try await verifier.verify(token[...]).get()
        clock.advance(by: 200)
        await #expect(throws: TokenRejection.expired) { try await verifier.verify(token[...]).get() }
    }

    @Test func aWeakKeyInTheSetIsSkipped() async throws {
        let weak = try _RSA.Signing.PrivateKey(unsafeKeySize: .init(bitCount: 1024))
        let set = try JSONWebKeySet(
            json: TestKeys.jwksJSON([TestKeys.jwk(weak, kid: "weak"), TestKeys.jwk(TestKeys.primary, kid: "key-1")]))
        #expect(set.keys.count == 1)
        let verifier = TestTokens.verifier(set: set)
        let token = TestTokens.token(header: ["alg": "RS256", "kid": "weak"], key: weak)
        await #expect(throws: TokenRejection.unknownKey) { try await verifier.verify(token[...]).get() }
    }
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    let offset = Mutex(0.0)

    func advance(by seconds: Double) { offset.withLock { $0 += seconds } }

    var now: @Sendable () -> Date {
        { Date().addingTimeInterval(self.offset.withLock { $0 }) }
    }
}
