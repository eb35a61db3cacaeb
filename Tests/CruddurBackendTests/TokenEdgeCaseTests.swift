import CruddurAuth
import CruddurDomain
import CryptoExtras
import Foundation
import Synchronization
import Testing

/// Tokens that a lenient JSON reading or a cache keyed by `kid` alone would let through.
@Suite("Access token edge cases")
struct TokenEdgeCaseTests {
    /// A token over raw header and payload bytes, signed by `key`.
    func token(header: String, payload: String, key: _RSA.Signing.PrivateKey = TestKeys.primary) -> String {
        let input = "\(Base64URL.encode(Data(header.utf8))).\(Base64URL.encode(Data(payload.utf8)))"
        return "\(input).\(Base64URL.encode(TestTokens.rs256(Data(input.utf8), key)))"
    }

    var payload: String {
        String(
            decoding: try! JSONSerialization.data(withJSONObject: TestTokens.claims(), options: [.sortedKeys]),
            as: UTF8.self)
    }

    @Test func aValidRawTokenPasses() async throws {
        let raw = token(header: #"{"alg":"RS256","kid":"key-1"}"#, payload: payload)
        _ = try await TestTokens.verifier().verify(raw[...]).get()
    }

    @Test(arguments: [
        #"{"alg":"RS256","kid":"key-1","alg":"RS256"}"#,
        #"{"alg":"RS256","kid":"key-9","kid":"key-1"}"#,
        #"{"alg":"RS256","kid":"key-1","\u0061lg":"RS256"}"#,
        "\u{FEFF}{\"alg\":\"RS256\",\"kid\":\"key-1\"}",
    ])
    func aHeaderThatRepeatsAMemberOrStartsWithABOMIsRefused(header: String) async {
        let result = await TestTokens.verifier().verify(token(header: header, payload: payload)[...])
        #expect(throws: TokenRejection.self) { try result.get() }
    }

    @Test func aPayloadThatRepeatsAMemberIsRefused() async {
        let repeated = String(payload.dropLast()) + #","sub":"sub-admin"}"#
        let result = await TestTokens.verifier().verify(
            token(header: #"{"alg":"RS256","kid":"key-1"}"#, payload: repeated)[...])
        #expect(throws: TokenRejection.malformed("payload repeats a member name")) { try result.get() }
        let nested = String(payload.dropLast()) + #","extra":{"a":1,"a":2}}"#
        let nestedResult = await TestTokens.verifier().verify(
            token(header: #"{"alg":"RS256","kid":"key-1"}"#, payload: nested)[...])
        #expect(throws: TokenRejection.self) { try nestedResult.get() }
        let sameNameInTwoObjects = String(payload.dropLast()) + #","x":{"sub":1},"y":[{"sub":2}]}"#
        _ = try? await TestTokens.verifier().verify(
            token(header: #"{"alg":"RS256","kid":"key-1"}"#, payload: sameNameInTwoObjects)[...]
        ).get()
    }

    @Test func aKidRepublishedWithOtherKeyMaterialStopsCachedTokensAtOnce() async throws {
        let published = SwappableFetcher(set: TestKeys.defaultSet)
        let keys = JWKSCache(fetcher: published, rateWindow: 0)
        let verifier = CognitoTokenVerifier(pool: TestTokens.pool, keys: keys)
        let token = TestTokens.token()
        _ = try await verifier.verify(token[...]).get()
        _ = try await verifier.verify(token[...]).get()
        // The same kid now names another key: the cached verification no longer holds.
        let swapped = try _RSA.Signing.PublicKey(
            n: TestKeys.rotated.publicKey.getKeyPrimitives().modulus,
            e: TestKeys.rotated.publicKey.getKeyPrimitives().publicExponent)
        published.set.withLock { $0 = JSONWebKeySet(keys: ["key-1": swapped]) }
        await keys.refresh(force: true)
        let result = await verifier.verify(token[...])
        #expect(throws: TokenRejection.badSignature) { try result.get() }
    }
}

/// A key server whose published set a test can change.
final class SwappableFetcher: JWKSFetching {
    let set: Mutex<JSONWebKeySet>

    init(set: JSONWebKeySet) {
        self.set = Mutex(set)
    }

    func fetch() async throws(JWKSError) -> JSONWebKeySet { set.withLock { $0 } }
}
