import Crypto
import Foundation
import Synchronization

/// Tokens whose signature and claims already verified, keyed by their SHA-256, so that a client that
/// repeats its token costs a hash and a lookup instead of an RSA verification. Bounded; an entry lives
/// until its token's `exp`, and the time claims are checked again on every hit.
public final class VerifiedTokenCache: Sendable {
    public struct Entry: Sendable {
        /// The identity without the raw token, which the cache never keeps.
        public var identity: CallerIdentity
        public var kid: String
        /// The key that verified the token (``JWKSCache/fingerprint(of:)``): a `kid` republished with other
        /// key material no longer matches, and the token is verified again.
        public var keyFingerprint: SHA256Digest
        public var expiresAt: Double
        public var notBefore: Double?
        public var issuedAt: Double?
    }

    let entries = Mutex([SHA256Digest: Entry]())
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    public func entry(for digest: SHA256Digest) -> Entry? {
        entries.withLock { $0[digest] }
    }

    public func remove(_ digest: SHA256Digest) {
        _ = entries.withLock { $0.removeValue(forKey: digest) }
    }

    /// Stores `entry`; when full, drops expired entries first and then an arbitrary tenth.
    public func store(_ entry: Entry, for digest: SHA256Digest, now: Double) {
        entries.withLock { entries in
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expiresAt > now }
                if entries.count >= capacity {
                    for key in entries.keys.prefix(max(1, capacity / 10)) { entries.removeValue(forKey: key) }
                }
            }
            entries[digest] = entry
        }
    }

    public var count: Int { entries.withLock { $0.count } }

    /// SHA-256 of a token's bytes, without copying them.
    public static func digest(of token: Substring) -> SHA256Digest {
        token.utf8.sha256
    }
}
