import CruddurAuth
import CruddurDomain
import CruddurStore
import Foundation
import Logging

/// Finds the `users` row of a verified caller, provisioning it from Cognito the first time they are seen.
public struct CallerUserService<Store: UserStore>: Sendable {
    let store: Store
    let profiles: (any CognitoProfileSource)?
    /// Dropped when a user is provisioned: a claimed demo user's cruds show under their new name.
    let cache: FeedCache?
    let known = CallerUserCache()

    public init(store: Store, profiles: (any CognitoProfileSource)?, cache: FeedCache? = nil) {
        self.store = store
        self.profiles = profiles
        self.cache = cache
    }

    /// The caller's user; 403 `user_not_provisioned` when they have none and Cognito cannot provide one.
    /// Found once per replica (``CallerUserCache``).
    public func user(for identity: CallerIdentity, logger: Logger) async throws -> CallerUser {
        if let known = known.user(sub: identity.sub) { return known }
        let user = try await find(identity, logger: logger).caller
        known.store(user, sub: identity.sub)
        return user
    }

    func find(_ identity: CallerIdentity, logger: Logger) async throws -> User {
        if let user = try await store.user(cognitoUserID: identity.sub, logger: logger) { return user }
        guard let profiles else {
            throw APIError.forbidden(
                code: "user_not_provisioned", message: "No Cruddur user for this account, and provisioning is off")
        }
        var profile = try await profiles.profile(accessToken: identity.accessToken, logger: logger)
        // Text from outside goes into PostgreSQL, whose text type cannot hold NUL.
        profile.name = profile.name.replacingOccurrences(of: "\u{0}", with: "")
        profile.email = profile.email?.replacingOccurrences(of: "\u{0}", with: "")
        guard profile.sub == identity.sub else {
            throw APIError.forbidden(code: "user_not_provisioned", message: "Cognito returned another user")
        }
        defer { cache?.invalidate() }
        let user = try await store.provisionUser(profile, logger: logger)
        logger.info("Provisioned user", metadata: ["sub": "\(identity.sub)", "handle": "\(user.handle)"])
        return user
    }
}
