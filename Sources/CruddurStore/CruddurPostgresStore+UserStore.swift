import CruddurDomain
import Foundation
import Logging
import PostgresDriver

extension CruddurPostgresStore: UserStore {
    static let userColumns = "uuid, handle, display_name, email, bio, cognito_user_id, created_at"
    /// A user from ``userColumns`` where `row`'s cursor stands: uuid, handle, display name, email, bio,
    /// Cognito `sub`, created at.
    static func user(from row: inout PostgresRow) throws -> User {
        User(
            uuid: try row.next(UUID.self), handle: try row.next(String.self), displayName: try row.next(String.self),
            email: try row.next(String?.self), bio: try row.next(String?.self),
            cognitoUserID: try row.next(String?.self), createdAt: try row.next(Date.self))
    }

    static func decodeUsers(_ result: PostgresResult) throws -> [User] {
        try result.rows.map { row in
            var row = row
            return try user(from: &row)
        }
    }

    public func profile(handle: String, readable: [Visibility], now: Date, logger: Logger) async throws
        -> CountedProfile?
    {
        try await database.read("profile_by_handle", mayLag: readable.mayLag) { pool in
            try await PostgresStatements.ProfileByHandle(key: handle, now: now, readable: readable).rows(on: pool).first
        }
    }

    public func user(handle: String, logger: Logger) async throws -> User? {
        try await database.run("user_by_handle") { pool in
            try await PostgresStatements.UserByHandle(key: handle).rows(on: pool).first
        }
    }

    public func user(cognitoUserID: String, logger: Logger) async throws -> User? {
        try await database.run("user_by_sub") { pool in
            try await PostgresStatements.UserBySub(key: cognitoUserID).rows(on: pool).first
        }
    }

    public func provisionUser(_ profile: CognitoProfile, logger: Logger) async throws -> User {
        if let existing = try await user(cognitoUserID: profile.sub, logger: logger) { return existing }
        let base = Handle.sanitized(profile.preferredUsername)
        let name = String(profile.name.prefix(200))
        return try await database.run("provision_user") { pool in
            // Each step is one unit (its own transaction): a claim, or an insert that a unique conflict turns
            // into no row, so a concurrent provisioning of the same account or handle is safe without a
            // transaction spanning them.
            if let email = profile.claimingEmail {
                // An unclaimed demo user with this handle and a verified email becomes this account's.
                var parameters = PostgresParameters(capacity: 3)
                parameters.append(profile.sub)
                parameters.append(base)
                parameters.append(email)
                let claimed = try await pool.query(
                    PostgresStatement(
                        """
                        UPDATE users SET cognito_user_id = $1
                        WHERE lower(handle) = lower($2) AND cognito_user_id IS NULL AND lower(email) = lower($3)
                        RETURNING \(Self.userColumns)
                        """, parameters))
                if let user = try Self.decodeUsers(claimed).first { return user }
            }
            for handle in Handle.candidates(for: base).prefix(1000) {
                var parameters = PostgresParameters(capacity: 5)
                parameters.append(UUID())
                parameters.append(profile.sub)
                parameters.append(handle)
                parameters.append(name)
                parameters.append(profile.email)
                let inserted = try await pool.query(
                    PostgresStatement(
                        """
                        INSERT INTO users (uuid, cognito_user_id, handle, display_name, email)
                        VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT DO NOTHING
                        RETURNING \(Self.userColumns)
                        """, prepared: "provision_user", parameters))
                if let user = try Self.decodeUsers(inserted).first { return user }
                // The conflict may be this very account, provisioned by a concurrent request.
                if let user = try await PostgresStatements.UserBySub(key: profile.sub).rows(on: pool).first {
                    return user
                }
            }
            throw StoreError.noFreeHandle
        }
    }

    public func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) async throws -> User? {
        var parameters = PostgresParameters(capacity: 3)
        parameters.append(update.displayName)
        parameters.append(update.bio)
        parameters.append(user)
        let bound = parameters
        return try await database.run("update_profile") { pool in
            let rows = try await pool.query(
                PostgresStatement(
                    """
                    UPDATE users SET display_name = $1, bio = $2 WHERE uuid = $3
                    RETURNING \(Self.userColumns)
                    """, prepared: "update_profile", bound))
            return try Self.decodeUsers(rows).first
        }
    }
}
