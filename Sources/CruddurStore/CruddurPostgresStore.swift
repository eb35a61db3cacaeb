import CruddurDomain
import Foundation
import Logging
import PostgresNIO

/// Users and cruds in PostgreSQL. Every statement binds its values; reads are keyset-paged on
/// `(created_at, uuid)` and fetch the replies of a whole page in one query.
public struct CruddurPostgresStore: Sendable {
    let database: PostgresDatabase
    let searchWords = SearchWordStatistics()

    public init(database: PostgresDatabase) {
        self.database = database
    }

    static let activityColumns = PostgresStatements.activityColumns

    static func decodeActivities(_ rows: PostgresRowSequence) async throws -> [Activity] {
        var activities: [Activity] = []
        for try await row in rows {
            activities.append(try PostgresStatements.activity(row))
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

    /// One page from up to `limit + 1` activities read newest first, with their replies when asked.
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
    static func feedPage<Statement: PostgresPreparedStatement>(
        _ statement: Statement, limit: Int, client: PostgresClient, logger: Logger
    ) async throws -> FeedPage where Statement.Row == PostgresStatements.FeedRow {
        var rows: [PostgresStatements.FeedRow] = []
        for try await row in try await client.execute(statement, logger: logger) { rows.append(row) }
        return feedPage(rows, limit: limit)
    }

    /// Runs a prepared feed statement and returns its activities.
    static func activities<Statement: PostgresPreparedStatement>(
        _ statement: Statement, client: PostgresClient, logger: Logger
    ) async throws -> [Activity] where Statement.Row == Activity {
        var activities: [Activity] = []
        for try await row in try await client.execute(statement, logger: logger) {
            activities.append(row)
        }
        return activities
    }
}
