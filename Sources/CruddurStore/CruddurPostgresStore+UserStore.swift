import CruddurDomain
import Foundation
import Logging
import PostgresNIO

extension CruddurPostgresStore: UserStore {
    static let userColumns = "uuid, handle, display_name, email, bio, cognito_user_id, created_at"
    /// A row of ``userColumns``: uuid, handle, display name, email, bio, Cognito `sub`, created at.
    typealias UserRow = (UUID, String, String, String?, String?, String?, Date)

    static func user(_ row: UserRow) -> User {
        let (uuid, handle, displayName, email, bio, sub, createdAt) = row
        return User(
            uuid: uuid, handle: handle, displayName: displayName, email: email, bio: bio, cognitoUserID: sub,
            createdAt: createdAt)
    }

    static func decodeUsers(_ rows: PostgresRowSequence) async throws -> [User] {
        var users: [User] = []
        for try await row in rows.decode(UserRow.self) { users.append(user(row)) }
        return users
    }

    public func profile(handle: String, readable: [Visibility], now: Date, logger: Logger) async throws
        -> CountedProfile?
    {
        try await database.run("profile_by_handle") { client in
            let statement = PostgresStatements.ProfileByHandle(key: handle, now: now, readable: readable)
            for try await profile in try await client.execute(statement, logger: logger) { return profile }
            return nil
        }
    }

    public func user(handle: String, logger: Logger) async throws -> User? {
        try await database.run("user_by_handle") { client in
            for try await row in try await client.execute(
                PostgresStatements.UserByHandle(key: handle), logger: logger)
            {
                return Self.user(row)
            }
            return nil
        }
    }

    public func user(cognitoUserID: String, logger: Logger) async throws -> User? {
        try await database.run("user_by_sub") { client in
            for try await row in try await client.execute(
                PostgresStatements.UserBySub(key: cognitoUserID), logger: logger)
            {
                return Self.user(row)
            }
            return nil
        }
    }

    public func provisionUser(_ profile: CognitoProfile, logger: Logger) async throws -> User {
        if let existing = try await user(cognitoUserID: profile.sub, logger: logger) { return existing }
        let base = Handle.sanitized(profile.preferredUsername)
        let name = String(profile.name.prefix(200))
        return try await database.run("provision_user") { client in
            try await client.committed(logger: logger) { connection in
                // An unclaimed demo user with this handle and a verified email becomes this account's.
                if let email = profile.claimingEmail {
                    let claimed = try await connection.query(
                        """
                        UPDATE users SET cognito_user_id = \(profile.sub)
                        WHERE lower(handle) = lower(\(base)) AND cognito_user_id IS NULL AND lower(email) = lower(\(email))
                        RETURNING \(unescaped: Self.userColumns)
                        """, logger: logger)
                    if let user = try await Self.decodeUsers(claimed).first { return user }
                }
                for handle in Handle.candidates(for: base).prefix(1000) {
                    let inserted = try await connection.query(
                        """
                        INSERT INTO users (uuid, cognito_user_id, handle, display_name, email)
                        VALUES (\(UUID()), \(profile.sub), \(handle), \(name), \(profile.email))
                        ON CONFLICT DO NOTHING
                        RETURNING \(unescaped: Self.userColumns)
                        """, logger: logger)
                    if let user = try await Self.decodeUsers(inserted).first { return user }
                    // The conflict may be this very account, provisioned by a concurrent request.
                    let rows = try await connection.query(
                        "SELECT \(unescaped: Self.userColumns) FROM users WHERE cognito_user_id = \(profile.sub)",
                        logger: logger)
                    if let user = try await Self.decodeUsers(rows).first { return user }
                }
                throw StoreError.noFreeHandle
            }
        }
    }

    public func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) async throws -> User? {
        try await database.run("update_profile") { client in
            try await client.committed(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    UPDATE users SET display_name = \(update.displayName), bio = \(update.bio) WHERE uuid = \(user)
                    RETURNING \(unescaped: Self.userColumns)
                    """, logger: logger)
                return try await Self.decodeUsers(rows).first
            }
        }
    }
}
