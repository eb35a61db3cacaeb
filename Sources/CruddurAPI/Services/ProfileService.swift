import CruddurAuth
import CruddurDomain
import CruddurStore
import Foundation
import Logging

/// Profiles: reading anyone's, updating your own, and the rules a profile update follows.
public struct ProfileService<Store: ActivityStore & UserStore>: Sendable {
    let store: Store
    /// Profiles with their counts, when the server keeps them; an update drops them.
    let cache: FeedCache?
    let clock: @Sendable () -> Date

    public init(store: Store, cache: FeedCache? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.cache = cache
        self.clock = clock
    }

    /// The profile of the user with `handle`, counting the cruds `caller` may read.
    public func profile(handle: String, caller: Caller, logger: Logger) async throws -> Profile {
        guard Handle.isValid(handle) else { throw APIError.noUser(handle) }
        let (readable, now) = (caller.readable, clock())
        let load = { try await store.profile(handle: handle, readable: readable, now: now, logger: logger) }
        let counted =
            if let cache { try await cache.profile(handle: handle, readable: readable, now: now, load: load) } else {
                try await load()
            }
        guard let counted else { throw APIError.noUser(handle) }
        return counted.profile
    }

    /// Sets the caller's display name and bio, after ``ProfileRules`` accept them.
    public func update(
        _ user: CallerUser, displayName: String?, bio: String?, bioIsString: Bool = true, logger: Logger
    ) async throws -> Profile {
        let update = try ProfileRules.validated(displayName: displayName, bio: bio, bioIsString: bioIsString)
        // A new display name shows on every feed page the user's cruds are on, and in the user's profile.
        defer { cache?.invalidate() }
        guard let updated = try await store.updateProfile(user.uuid, update, logger: logger) else {
            throw APIError.noUser(user.handle)
        }
        return try await profile(of: updated, readable: Visibility.readable(signedIn: true), logger: logger)
    }

    func profile(of user: User, readable: [Visibility], logger: Logger) async throws -> Profile {
        let count = try await store.activitiesCount(of: user.uuid, readable: readable, now: clock(), logger: logger)
        return Profile(user: user, crudsCount: count)
    }
}
