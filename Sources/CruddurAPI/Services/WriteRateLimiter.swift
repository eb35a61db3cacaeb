import CruddurDomain
import CruddurRuntime
import Foundation
import Synchronization

/// A token bucket per caller for writes: `perMinute` tokens, refilled evenly over a minute, so a caller may
/// burst up to `perMinute` writes and then keeps `perMinute` a minute. Per process: behind N replicas a
/// caller gets at most N times the rate.
public final class WriteRateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let perMinute: Int
    let buckets = Mutex([String: Bucket]())
    let clock: @Sendable () -> Double
    /// Callers remembered before idle, full buckets are dropped.
    let maxCallers = 100_000

    /// `perMinute` 0 admits everything.
    public init(perMinute: Int, clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.perMinute = perMinute
        self.clock = clock
    }

    /// Takes a token for `caller`, or throws 429 with the seconds until one is free (and counts the refusal).
    public func admitWrite(by caller: String) throws {
        guard let wait = admit(caller) else { return }
        CruddurMetrics.writeRateLimited()
        throw APIError.tooManyRequests(retryAfter: wait)
    }

    /// Takes a token for `caller`; `nil` when admitted, else the whole seconds until one is free.
    public func admit(_ caller: String) -> Int? {
        guard perMinute > 0 else { return nil }
        let now = clock()
        let capacity = Double(perMinute)
        let rate = capacity / 60
        return buckets.withLock { buckets in
            var bucket = buckets[caller] ?? Bucket(tokens: capacity, updated: now)
            bucket.tokens = min(capacity, bucket.tokens + max(0, now - bucket.updated) * rate)
            bucket.updated = now
            guard bucket.tokens >= 1 else {
                buckets[caller] = bucket
                return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= 1
            if buckets.count >= maxCallers {
                buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < capacity }
            }
            buckets[caller] = bucket
            return nil
        }
    }
}
