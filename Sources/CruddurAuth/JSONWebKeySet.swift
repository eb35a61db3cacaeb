import CryptoExtras
import Foundation

/// The usable signing keys of a JWKS document, by `kid`.
public struct JSONWebKeySet: Sendable {
    /// The smallest RSA modulus accepted.
    public static let minimumKeyBits = 2048

    public let keys: [String: _RSA.Signing.PublicKey]
    /// How many entries were skipped as unusable (another `kty`, `use: enc`, an odd `alg`, a short key…).
    public let skipped: Int

    public init(keys: [String: _RSA.Signing.PublicKey], skipped: Int = 0) {
        self.keys = keys
        self.skipped = skipped
    }

    /// Parses a JWKS document, keeping the RSA signing keys it can use and skipping the rest.
    /// Fails when the document is not a JWKS or holds no usable key at all.
    public init(json: some DataProtocol) throws(JWKSError) {
        guard let document = try? JSONDecoder().decode([String: JSONValue].self, from: Data(json)),
            case .array(let entries)? = document["keys"]
        else { throw .notAKeySet }
        var keys: [String: _RSA.Signing.PublicKey] = [:]
        for case .object(let entry) in entries {
            // A kid listed twice is ambiguous; the first usable entry wins, never a later one.
            if let (kid, key) = Self.signingKey(entry), keys[kid] == nil { keys[kid] = key }
        }
        guard !keys.isEmpty else { throw .noUsableKey }
        self.init(keys: keys, skipped: entries.count - keys.count)
    }

    static func signingKey(_ entry: [String: JSONValue]) -> (String, _RSA.Signing.PublicKey)? {
        guard entry["kty"]?.string == "RSA",
            let kid = entry["kid"]?.string, !kid.isEmpty,
            entry["use"] == nil || entry["use"]?.string == "sig",
            entry["alg"] == nil || entry["alg"]?.string == "RS256",
            let n = entry["n"]?.string.flatMap({ Base64URL.decode($0.utf8) }),
            let e = entry["e"]?.string.flatMap({ Base64URL.decode($0.utf8) }),
            let key = try? _RSA.Signing.PublicKey(n: n, e: e),
            key.keySizeInBits >= minimumKeyBits
        else { return nil }
        return (kid, key)
    }
}

/// Why a key set could not be loaded.
public enum JWKSError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAKeySet
    case noUsableKey
    case httpStatus(UInt)
    case tooLarge
    case transport(String)

    public var description: String {
        switch self {
        case .notAKeySet: "the response is not a JWKS document"
        case .noUsableKey: "the JWKS holds no usable RS256 signing key"
        case .httpStatus(let code): "the JWKS endpoint answered HTTP \(code)"
        case .tooLarge: "the JWKS response is over the size cap"
        case .transport(let reason): "the JWKS endpoint could not be reached: \(reason)"
        }
    }
}
