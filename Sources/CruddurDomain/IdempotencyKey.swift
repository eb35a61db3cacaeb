import Crypto
import Foundation

/// An `Idempotency-Key` sent with a write, and a digest of the request it came with. The same key from the
/// same caller within ``lifetime`` returns the first result; with a different request it is refused.
public struct IdempotencyKey: Sendable, Equatable {
    /// How long a key is remembered.
    public static let lifetime: TimeInterval = 24 * 60 * 60
    /// The longest key accepted, in bytes.
    public static let maxLength = 255

    public let key: String
    /// SHA-256 of what the request asked for (route, target and body fields), to tell a retry from a reuse.
    public let requestHash: Data

    /// `nil` unless `key` is 1–255 visible ASCII characters.
    public init?(key: String, request parts: [String]) {
        guard !key.isEmpty, key.utf8.count <= Self.maxLength, key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else { return nil }
        self.key = key
        var hash = SHA256()
        for part in parts {
            hash.update(data: Data(part.utf8))
            hash.update(data: [0])
        }
        requestHash = Data(hash.finalize())
    }
}
