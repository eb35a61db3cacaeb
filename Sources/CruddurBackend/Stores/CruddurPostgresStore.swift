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

    static let activityColumns = PostgresStatements.activityColumns

    static func decodeActivities(_ rows: PostgresRowSequence) async throws -> [Activity] {
        var activities: [Activity] = []
        for try await row in rows.decode(PostgresStatements.ActivityRow.self) {
            activities.append(PostgresStatements.activity(row))
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
    func page(
        _ activities: [Activity], limit: Int, withReplies: Bool, readable: [Visibility], now: Date,
        client: PostgresClient, logger: Logger
    ) async throws -> FeedPage {
        let page = FeedPage(overfetched: activities, limit: limit)
        guard withReplies else { return page }
        let items = try await attachReplies(
            to: page.items, readable: readable, now: now, client: client, logger: logger)
        return FeedPage(items: items, next: page.next)
    }

    /// Fills in the direct replies (oldest first) of every activity in `activities` that has any, in one query.
    func attachReplies(
        to activities: [Activity], readable: [Visibility], now: Date, client: PostgresClient, logger: Logger
    ) async throws -> [Activity] {
        let parents = activities.filter { $0.repliesCount > 0 }.map(\.uuid)
        guard !parents.isEmpty else { return activities }
        var replies: [UUID: [Activity]] = [:]
        let rows = try await client.execute(
            PostgresStatements.Replies(parents: parents, now: now, readable: readable), logger: logger)
        for try await row in rows {
            let reply = PostgresStatements.activity(row)
            replies[reply.replyToActivityUUID!, default: []].append(reply)
        }
        return activities.map { activity in
            var activity = activity
            activity.replies = replies[activity.uuid] ?? []
            return activity
        }
    }

    /// Runs a prepared feed statement and returns its activities.
    static func activities<Statement: PostgresPreparedStatement>(
        _ statement: Statement, client: PostgresClient, logger: Logger
    ) async throws -> [Activity] where Statement.Row == PostgresStatements.ActivityRow {
        var activities: [Activity] = []
        for try await row in try await client.execute(statement, logger: logger) {
            activities.append(PostgresStatements.activity(row))
        }
        return activities
    }
}
