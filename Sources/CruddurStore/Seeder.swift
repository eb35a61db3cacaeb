import CruddurDomain
import Foundation
import Logging
import PostgresDriver

/// Loads the demo cast of `db/seed.json` into PostgreSQL, in one transaction. Rows that already exist
/// (by uuid) are left as they are, so seeding twice changes nothing.
public struct Seeder: Sendable {
    public let seed: SeedData

    public init(seed: SeedData) {
        self.seed = seed
    }

    /// Inserts the seed as of `now`, in one transaction; returns how many users and activities were new.
    @discardableResult
    public func load(on session: PostgresSession, now: Date = Date()) throws -> (users: Int, activities: Int) {
        try session.transaction { try insert(on: session, now: now) }
    }

    private func insert(on session: PostgresSession, now: Date) throws -> (users: Int, activities: Int) {
        let activities = seed.storedActivities(now: now).sorted { ($0.replyTo == nil) && ($1.replyTo != nil) }
        let replyCounts = Dictionary(activities.compactMap(\.replyTo).map { ($0, 1) }, uniquingKeysWith: +)
        var newUsers = 0
        for user in seed.storedUsers {
            var values = PostgresParameters()
            values.append(user.uuid)
            values.append(user.handle)
            values.append(user.displayName)
            values.append(user.email)
            values.append(user.bio)
            newUsers += try session.query(
                """
                INSERT INTO users (uuid, handle, display_name, email, bio) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT DO NOTHING
                """, values
            ).affectedRows
        }
        var newActivities = 0
        for (activity, replyTo, likes, reposts) in activities {
            var values = PostgresParameters()
            values.append(activity.uuid)
            values.append(activity.authorUUID)
            values.append(activity.message)
            values.append(activity.visibility.rawValue)
            values.append(activity.expiresAt)
            values.append(activity.createdAt)
            values.append(replyTo)
            values.append(replyCounts[activity.uuid] ?? 0)
            values.append(likes)
            values.append(reposts)
            newActivities += try session.query(
                """
                INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at,
                                        reply_to_activity_uuid, replies_count, likes_count, reposts_count,
                                        reply_to_user_uuid)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, (SELECT user_uuid FROM activities WHERE uuid = $7))
                ON CONFLICT DO NOTHING
                """, values
            ).affectedRows
            var mention = PostgresParameters()
            mention.append(activity.uuid)
            mention.append(Handle.mentioned(in: activity.message))
            mention.append(activity.authorUUID)
            try session.query(
                """
                INSERT INTO mentions (user_uuid, activity_uuid)
                SELECT uuid, $1 FROM users WHERE lower(handle) = ANY($2) AND uuid <> $3
                ON CONFLICT DO NOTHING
                """, mention)
        }
        for (group, members, message) in seed.storedMessages(now: now) {
            let (a, b) = CruddurPostgresStore.ordered(members.0, members.1)
            var groupValues = PostgresParameters()
            groupValues.append(group)
            groupValues.append(a)
            groupValues.append(b)
            groupValues.append(message.createdAt)
            try session.query(
                """
                INSERT INTO message_groups (uuid, user_a, user_b, last_message_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (uuid) DO UPDATE
                SET last_message_at = greatest(message_groups.last_message_at, excluded.last_message_at)
                """, groupValues)
            var messageValues = PostgresParameters()
            messageValues.append(message.uuid)
            messageValues.append(group)
            messageValues.append(message.authorUUID)
            messageValues.append(message.message)
            messageValues.append(message.createdAt)
            try session.query(
                """
                INSERT INTO messages (uuid, message_group_uuid, user_uuid, message, created_at)
                VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
                """, messageValues)
        }
        return (newUsers, newActivities)
    }
}
