import CruddurDomain
import Foundation
import Logging

extension CruddurMemoryStore: UserStore {
    public func user(handle: String, logger: Logger) -> User? { lookUp(handle: handle) }

    public func user(cognitoUserID: String, logger: Logger) -> User? {
        users.values.first { $0.cognitoUserID == cognitoUserID }
    }

    public func provisionUser(_ profile: CognitoProfile, logger: Logger) -> User {
        if let existing = user(cognitoUserID: profile.sub, logger: logger) { return existing }
        let base = Handle.sanitized(profile.preferredUsername)
        if var unclaimed = lookUp(handle: base), unclaimed.cognitoUserID == nil, let email = profile.claimingEmail,
            unclaimed.email?.lowercased() == email.lowercased()
        {
            unclaimed.cognitoUserID = profile.sub
            users[unclaimed.uuid] = unclaimed
            return unclaimed
        }
        let handle = Handle.candidates(for: base).first { lookUp(handle: $0) == nil }!
        let user = User(
            uuid: UUID(), handle: handle, displayName: profile.name, email: profile.email, cognitoUserID: profile.sub)
        users[user.uuid] = user
        return user
    }

    public func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) -> User? {
        guard var stored = users[user] else { return nil }
        stored.displayName = update.displayName
        stored.bio = update.bio
        users[user] = stored
        return stored
    }

    func lookUp(handle: String) -> User? {
        let wanted = handle.lowercased()
        return users.values.first { $0.handle.lowercased() == wanted }
    }
}
