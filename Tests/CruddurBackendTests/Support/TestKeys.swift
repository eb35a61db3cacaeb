import CruddurAuth
import CryptoExtras
import Foundation

/// RSA keys generated once per test run, and the JWKS documents that publish them.
enum TestKeys {
    static let primary = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let rotated = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let stranger = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    /// A JWK for `key`, with `extra` fields merged in (e.g. `use`, `alg`).
    static func jwk(_ key: _RSA.Signing.PrivateKey, kid: String, extra: [String: String] = [:]) -> [String: String] {
        let primitives = try! key.publicKey.getKeyPrimitives()
        var entry = [
            "kty": "RSA", "kid": kid, "n": Base64URL.encode(primitives.modulus),
            "e": Base64URL.encode(primitives.publicExponent),
        ]
        entry.merge(extra) { _, new in new }
        return entry
    }

    /// A JWKS document holding `entries`.
    static func jwksJSON(_ entries: [[String: String]]) -> Data {
        try! JSONSerialization.data(withJSONObject: ["keys": entries])
    }

    /// The key set published for the test pool: `primary` as kid `key-1`.
    static var defaultSet: JSONWebKeySet {
        try! JSONWebKeySet(json: jwksJSON([jwk(primary, kid: "key-1")]))
    }
}

/// Serves a fixed key set without a network hop, for tests about routes rather than key fetching.
struct FixedJWKSFetcher: JWKSFetching {
    let set: JSONWebKeySet

    func fetch() async throws(JWKSError) -> JSONWebKeySet { set }
}
