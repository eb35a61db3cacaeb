import Foundation
import Logging
import PostgresNIO

/// Users and cruds in PostgreSQL. Every statement binds its values; reads are keyset-paged on
/// `(created_at, uuid)` and fetch the replies of a whole page in one query.
public struct CruddurPostgresStore: Sendable {
    let database: PostgresDatabase

    public init(database: PostgresDatabase) {
        self.database = database
    }

    /// The activity columns every read selects, in the order ``decodeActivities(_:)`` expects.
    static let activityColumns = """
        a.uuid, u.display_name, u.handle, a.message, a.replies_count, a.reposts_count, a.likes_count,
        a.reply_to_activity_uuid, a.visibility, a.expires_at, a.created_at
        """

    typealias ActivityRow = (UUID, String, String, String, Int, Int, Int, UUID?, String, Date, Date)

    static func decodeActivities(_ rows: PostgresRowSequence) async throws -> [Activity] {
        var activities: [Activity] = []
        for try await row in rows.decode(ActivityRow.self) {
            activities.append(
                Activity(
                    uuid: row.0, displayName: row.1, handle: row.2, message: row.3, repliesCount: row.4,
                    repostsCount: row.5, likesCount: row.6, replyToActivityUUID: row.7,
                    visibility: Visibility(rawValue: row.8) ?? .members, expiresAt: row.9, createdAt: row.10))
        }
        return activities
    }

    /// The bounds of a keyset page: strictly before (`micros`, `uuid`) in newest-first order.
    static func bounds(_ page: PageRequest) -> (micros: Int64, uuid: UUID) {
        guard let before = page.before else { return (253_402_300_799_000_000, maxUUID) }
        return (before.createdAtMicros, before.uuid ?? minUUID)
    }

    static let maxUUID = UUID(uuidString: "ffffffff-ffff-ffff-ffff-ffffffffffff")!
    static let minUUID = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// Fills in the direct replies (oldest first) of every activity in `activities` that has any.
    func attachReplies(
        to activities: [Activity], readable: [Visibility], now: Date, client: PostgresClient, logger: Logger
    ) async throws -> [Activity] {
        let parents = activities.filter { $0.repliesCount > 0 }.map(\.uuid)
        guard !parents.isEmpty else { return activities }
        let visibilities = readable.map(\.rawValue)
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.activityColumns)
            FROM activities a JOIN users u ON u.uuid = a.user_uuid
            WHERE a.reply_to_activity_uuid = ANY(\(parents)) AND a.expires_at > \(now)
              AND a.visibility = ANY(\(visibilities))
            ORDER BY a.created_at, a.uuid
            """, logger: logger)
        let replies = Dictionary(grouping: try await Self.decodeActivities(rows)) { $0.replyToActivityUUID! }
        return activities.map { activity in
            var activity = activity
            activity.replies = replies[activity.uuid] ?? []
            return activity
        }
    }
}
