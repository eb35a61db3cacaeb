import CruddurAuth
import CruddurDomain
import CruddurStore
import Foundation
import Logging

/// Profiles: reading anyone's, updating your own, and the rules a profile update follows.
public struct ProfileService<Store: ActivityStore & UserStore>: Sendable {
    let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// The profile of the user with `handle`, counting the cruds `caller` may read.
    public func profile(handle: String, caller: Caller, logger: Logger) async throws -> Profile {
        guard Handle.isValid(handle),
            let counted = try await store.profile(
                handle: handle, readable: caller.readable, now: clock(), logger: logger)
        else { throw APIError.noUser(handle) }
        return counted.profile
    }

    /// Sets the caller's display name and bio, after ``ProfileRules`` accept them.
    public func update(
        _ user: CallerUser, displayName: String?, bio: String?, bioIsString: Bool = true, logger: Logger
    ) async throws -> Profile {
        let update = try ProfileRules.validated(displayName: displayName, bio: bio, bioIsString: bioIsString)
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
