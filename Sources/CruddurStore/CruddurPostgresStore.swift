import CruddurDomain
import Foundation
import Logging
import PostgresDriver

/// Users and cruds in PostgreSQL. Every statement binds its values; reads are keyset-paged on
/// `(created_at, uuid)` and fetch the replies of a whole page in one query.
public struct CruddurPostgresStore: Sendable {
    let database: PostgresDatabase
    let searchWords = SearchWordStatistics()

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let activityColumns = PostgresStatements.activityColumns

    static func decodeActivities(_ result: PostgresResult) throws -> [Activity] {
        try result.rows.map(PostgresStatements.activity)
    }

    /// The bounds of a keyset page: strictly before (`micros`, `uuid`) in newest-first order.
    static func bounds(_ page: PageRequest) -> (micros: Int64, uuid: UUID) {
        guard let before = page.before else { return (FeedCursor.validMicros.upperBound, maxUUID) }
        return (before.createdAtMicros, before.uuid ?? minUUID)
    }

    static let maxUUID = UUID(uuidString: "ffffffff-ffff-ffff-ffff-ffffffffffff")!
    static let minUUID = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    /// Builds a feed page from a feed statement's rows: the feed (part 0) with its embedded replies
    /// (part 1) attached oldest first, one more than `limit` read to tell whether a next page exists.
    static func feedPage(_ rows: [PostgresStatements.FeedRow], limit: Int) -> FeedPage {
        var activities: [Activity] = []
        var replies: [UUID: [Activity]] = [:]
        for (part, activity) in rows {
            if part == 0 {
                activities.append(activity)
            } else if let parent = activity.replyToActivityUUID {
                replies[parent, default: []].append(activity)
            }
        }
        for index in activities.indices {
            activities[index].replies = (replies[activities[index].uuid] ?? []).reversed()
        }
        return FeedPage(overfetched: activities, limit: limit)
    }

    /// Runs a prepared feed statement with embedded replies and returns its page.
    static func feedPage<Statement: PreparedQuery>(_ statement: Statement, limit: Int, pool: BoundedPool)
        async throws -> FeedPage where Statement.Row == PostgresStatements.FeedRow
    {
        feedPage(try await statement.rows(on: pool), limit: limit)
    }
}
