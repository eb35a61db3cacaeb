import CruddurDomain
import Foundation
import PostgresDriver

/// Users and their counts.
extension PostgresStatements {
    /// The user whose handle is $1, compared case-insensitively (the users_handle_lower_key index).
    struct UserByHandle: UserLookup {
        static let sql = "SELECT \(CruddurPostgresStore.userColumns) FROM users WHERE lower(handle) = lower($1)"
        let key: String
    }

    /// The user whose handle is $1, how many of their top-level cruds unexpired at $2 with a visibility in $3
    /// exist, and when the first of those expires: a profile in one statement (a user's page took two, the
    /// user and then the count). Both read `activities_user_count_idx` alone.
    struct ProfileByHandle: UserCountStatement {
        static let counted = """
            FROM activities a WHERE a.user_uuid = users.uuid AND a.reply_to_activity_uuid IS NULL
              AND a.expires_at > $2 AND a.visibility = ANY($3)
            """
        static let sql = """
            SELECT \(CruddurPostgresStore.userColumns),
                   (SELECT count(*)::int \(counted)), (SELECT min(a.expires_at) \(counted))
            FROM users WHERE lower(handle) = lower($1)
            """
        typealias Row = CountedProfile
        let key: String
        let now: Date
        let readable: [Visibility]

        func decodeRow(_ row: PostgresRow) throws -> Row {
            var row = row
            let user = try CruddurPostgresStore.user(from: &row)
            let count = try row.next(Int.self)
            return CountedProfile(
                profile: Profile(user: user, crudsCount: count), countHoldsUntil: try row.next(Date?.self))
        }
    }

    /// How many unexpired top-level cruds of user $1 with a visibility in $3 exist at $2.
    struct ActivitiesCount: UserCountStatement {
        static let sql = """
            SELECT count(*)::int FROM activities
            WHERE user_uuid = $1 AND reply_to_activity_uuid IS NULL AND expires_at > $2 AND visibility = ANY($3)
            """
        typealias Row = Int
        let key: UUID
        let now: Date
        let readable: [Visibility]

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self, column: 0) }
    }

    /// The user who signs in as Cognito `sub` $1.
    struct UserBySub: UserLookup {
        static let sql = "SELECT \(CruddurPostgresStore.userColumns) FROM users WHERE cognito_user_id = $1"
        let key: String
    }
}

/// A user found by one text key, $1.
protocol UserLookup: PreparedQuery where Row == User {
    var key: String { get }
}

extension UserLookup {
    func makeBindings() -> PostgresParameters {
        var bindings = PostgresParameters(capacity: 1)
        bindings.append(key)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        var row = row
        return try CruddurPostgresStore.user(from: &row)
    }
}

/// A statement about one user's cruds: $1 the user (a handle or a uuid), $2 now, $3 the readable visibilities.
protocol UserCountStatement: PreparedQuery {
    associatedtype Key: PostgresEncodable
    var key: Key { get }
    var now: Date { get }
    var readable: [Visibility] { get }
}

extension UserCountStatement {
    func makeBindings() -> PostgresParameters {
        var bindings = PostgresParameters(capacity: 3)
        bindings.append(key)
        bindings.append(now)
        bindings.append(readable.map(\.rawValue))
        return bindings
    }
}
