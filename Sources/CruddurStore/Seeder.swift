import CruddurDomain
import Foundation
import Logging
import PostgresNIO

/// Loads the demo cast of `db/seed.json` into PostgreSQL, in one transaction. Rows that already exist
/// (by uuid) are left as they are, so seeding twice changes nothing.
public struct Seeder: Sendable {
    public let seed: SeedData

    public init(seed: SeedData) {
        self.seed = seed
    }

    /// Inserts the seed as of `now`; returns how many users and activities were new.
    @discardableResult
    public func load(on connection: PostgresConnection, now: Date = Date(), logger: Logger) async throws
        -> (users: Int, activities: Int)
    {
        let users = seed.storedUsers
        let activities = seed.storedActivities(now: now).sorted { ($0.replyTo == nil) && ($1.replyTo != nil) }
        let replyCounts = Dictionary(activities.compactMap(\.replyTo).map { ($0, 1) }, uniquingKeysWith: +)
        return try await connection.withTransaction(logger: logger) { connection in
            var newUsers = 0
            for user in users {
                let rows = try await connection.query(
                    """
                    INSERT INTO users (uuid, handle, display_name, email, bio)
                    VALUES (\(user.uuid), \(user.handle), \(user.displayName), \(user.email), \(user.bio))
                    ON CONFLICT DO NOTHING RETURNING uuid
                    """, logger: logger)
                for try await _ in rows { newUsers += 1 }
            }
            var newActivities = 0
            for (activity, replyTo, likes, reposts) in activities {
                let rows = try await connection.query(
                    """
                    INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at,
                                            reply_to_activity_uuid, replies_count, likes_count, reposts_count,
                                            reply_to_user_uuid)
                    VALUES (\(activity.uuid), \(activity.authorUUID), \(activity.message),
                            \(activity.visibility.rawValue), \(activity.expiresAt), \(activity.createdAt), \(replyTo),
                            \(replyCounts[activity.uuid] ?? 0), \(likes), \(reposts),
                            (SELECT user_uuid FROM activities WHERE uuid = \(replyTo)))
                    ON CONFLICT DO NOTHING RETURNING uuid
                    """, logger: logger)
                for try await _ in rows { newActivities += 1 }
                try await connection.query(
                    """
                    INSERT INTO mentions (user_uuid, activity_uuid)
                    SELECT uuid, \(activity.uuid) FROM users
                    WHERE lower(handle) = ANY(\(Handle.mentioned(in: activity.message))) AND uuid <> \(activity.authorUUID)
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            for (group, members, message) in seed.storedMessages(now: now) {
                let (a, b) = CruddurPostgresStore.ordered(members.0, members.1)
                try await connection.query(
                    """
                    INSERT INTO message_groups (uuid, user_a, user_b, last_message_at)
                    VALUES (\(group), \(a), \(b), \(message.createdAt))
                    ON CONFLICT (uuid) DO UPDATE
                    SET last_message_at = greatest(message_groups.last_message_at, excluded.last_message_at)
                    """, logger: logger)
                try await connection.query(
                    """
                    INSERT INTO messages (uuid, message_group_uuid, user_uuid, message, created_at)
                    VALUES (\(message.uuid), \(group), \(message.authorUUID), \(message.message), \(message.createdAt))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
            return (newUsers, newActivities)
        }
    }
}
