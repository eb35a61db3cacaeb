import CruddurDomain
import Synchronization

/// The `users` rows of callers already found, by their Cognito `sub`, so that a signed-in write, notification
/// or message request runs its own statement and not one more to find its caller first (a round trip that
/// was half of the notifications route's statements, bench/replay.py). A row's uuid and handle never change
/// for a `sub`, and they are all a caller's row is read for (``CallerUser``): the cache keeps nothing else,
/// so it cannot serve a stale display name or bio. Bounded; a miss is never kept.
final class CallerUserCache: Sendable {
    let entries = Mutex([String: CallerUser]())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    func user(sub: String) -> CallerUser? {
        entries.withLock { $0[sub] }
    }

    /// Keeps `user`; when full, drops an arbitrary tenth first.
    func store(_ user: CallerUser, sub: String) {
        entries.withLock { entries in
            if entries.count >= capacity {
                for key in entries.keys.prefix(max(1, capacity / 10)) { entries.removeValue(forKey: key) }
            }
            entries[sub] = user
        }
    }
}
