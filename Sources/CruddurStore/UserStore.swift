import CruddurDomain
import Foundation
import Logging

/// Reads and writes users.
public protocol UserStore: Sendable {
    /// The user with `handle`, compared case-insensitively.
    func user(handle: String, logger: Logger) async throws -> User?
    /// The user who signs in as Cognito `sub`.
    func user(cognitoUserID: String, logger: Logger) async throws -> User?
    /// Creates the user for a Cognito identity seen for the first time, or returns the existing one.
    ///
    /// A handle already taken by another account gets a suffix (the first free one of
    /// `Handle.candidates(for:)`); an unclaimed demo
    /// user (no Cognito id) with the same handle and the profile's ``CognitoProfile/claimingEmail`` is claimed instead.
    func provisionUser(_ profile: CognitoProfile, logger: Logger) async throws -> User
    /// Sets user `user`'s display name and bio; `nil` when no such user exists.
    func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) async throws -> User?
}
