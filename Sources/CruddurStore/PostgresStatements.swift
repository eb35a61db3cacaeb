import CruddurDomain
import Foundation
import PostgresDriver

/// The hot queries as named prepared statements: PostgreSQL parses and plans each once per connection
/// instead of on every request, which on a busy feed costs more than running the query.
enum PostgresStatements {

    static let activityColumns = """
        a.uuid, u.display_name, u.handle, a.message, a.replies_count, a.reposts_count, a.likes_count,
        a.reply_to_activity_uuid, a.visibility, a.expires_at, a.created_at
        """

    /// `(created_at, uuid) < cursor`, the cursor bound as whole seconds and microseconds so the
    /// comparison is exact.
    static let beforeCursor =
        "(a.created_at, a.uuid) < ('epoch'::timestamptz + $3 * interval '1 second' + $4 * interval '1 microsecond', $5)"

    /// A feed row: its part (0, the feed itself; 1, an embedded reply), then the activity.
    typealias FeedRow = (part: Int, activity: Activity)

    /// A keyset feed's SQL: the activity columns of the rows matching `condition` and the cursor, newest
    /// first, at most $6 of them.
    static func keysetSQL(where condition: String) -> String {
        """
        SELECT \(activityColumns)
        FROM activities a JOIN users u ON u.uuid = a.user_uuid
        WHERE \(condition) AND \(beforeCursor)
        ORDER BY a.created_at DESC, a.uuid DESC
        LIMIT $6
        """
    }

    /// A keyset feed (part 0, newest first) and the newest ``Activity/embeddedReplies`` readable, unexpired
    /// replies of each of its cruds (part 1), in one statement: fetching the replies separately was a
    /// second round trip on most pages, and each statement costs the server more CPU than PostgreSQL
    /// spends on it. One short index scan per crud that has replies, however many it has.
    static func feedWithRepliesSQL(where condition: String) -> String {
        feedWithRepliesSQL(feed: keysetSQL(where: condition), now: "$1", readable: "$2")
    }

    /// ``feedWithRepliesSQL(where:)`` around the SQL of any feed, with the replies read as of `now` by `readable`.
    static func feedWithRepliesSQL(feed: String, now: String, readable: String) -> String {
        """
        WITH f AS MATERIALIZED (\(feed))
        SELECT 0, f.* FROM f
        UNION ALL
        SELECT 1, r.* FROM f CROSS JOIN LATERAL (
            SELECT \(activityColumns)
            FROM activities a JOIN users u ON u.uuid = a.user_uuid
            WHERE f.replies_count > 0 AND a.reply_to_activity_uuid = f.uuid AND a.expires_at > \(now)
              AND a.visibility = ANY(\(readable))
            ORDER BY a.created_at DESC, a.uuid DESC
            LIMIT \(Activity.embeddedReplies)
        ) r
        ORDER BY 1, 12 DESC, 2 DESC
        """
    }

    /// The activity in ``activityColumns``, read cell by cell from `row` where its cursor stands.
    static func activity(from row: inout PostgresRow) throws -> Activity {
        Activity(
            uuid: try row.next(UUID.self), displayName: try row.next(String.self), handle: try row.next(String.self),
            message: try row.next(String.self), repliesCount: try row.next(Int.self),
            repostsCount: try row.next(Int.self), likesCount: try row.next(Int.self),
            replyToActivityUUID: try row.next(UUID?.self),
            visibility: Visibility(rawValue: try row.next(String.self)) ?? .members,
            expiresAt: try row.next(Date.self), createdAt: try row.next(Date.self))
    }

    /// A row of ``activityColumns``.
    static func activity(_ row: PostgresRow) throws -> Activity {
        var row = row
        return try activity(from: &row)
    }

    /// A row of a feed with embedded replies: its part, then ``activityColumns``.
    static func feedRow(_ row: PostgresRow) throws -> FeedRow {
        var row = row
        let part = try row.next(Int.self)
        return (part, try activity(from: &row))
    }

    /// The bindings shared by keyset-paged feeds: now, visibilities, cursor seconds, microseconds, uuid.
    static func pageBindings(now: Date, readable: [Visibility], page: PageRequest) -> PostgresParameters {
        let (micros, uuid) = CruddurPostgresStore.bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        var bindings = PostgresParameters(capacity: 7)
        bindings.append(now)
        bindings.append(readable.map(\.rawValue))
        bindings.append(seconds)
        bindings.append(fraction)
        bindings.append(uuid)
        bindings.append(page.limit + 1)
        return bindings
    }
}

/// A keyset-paged feed of activities. Its bindings are $1 now, $2 the readable visibilities, $3 and $4 the
/// cursor's seconds and microseconds, $5 the cursor's uuid, $6 the limit (one more than the page), and,
/// when the statement filters on one, $7 `filter`.
protocol KeysetFeedStatement: PreparedQuery {
    associatedtype Filter: PostgresEncodable
    var filter: Filter? { get }
    var now: Date { get }
    var readable: [Visibility] { get }
    var page: PageRequest { get }
}

extension KeysetFeedStatement {
    func makeBindings() -> PostgresParameters {
        var bindings = PostgresStatements.pageBindings(now: now, readable: readable, page: page)
        if let filter { bindings.append(filter) }
        return bindings
    }
}

extension KeysetFeedStatement {
    /// The statement unprepared, planned for its values.
    var unprepared: PostgresStatement { PostgresStatement(Self.sql, makeBindings()) }
}

extension KeysetFeedStatement where Row == Activity {
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.activity(row) }
}

extension KeysetFeedStatement where Row == PostgresStatements.FeedRow {
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.feedRow(row) }
}

/// A statement prepared once per connection under its type's name, with its bindings and its row type.
protocol PreparedQuery: Sendable {
    associatedtype Row
    static var sql: String { get }
    func makeBindings() -> PostgresParameters
    func decodeRow(_ row: PostgresRow) throws -> Row
}

extension PreparedQuery {
    /// The name it is prepared under: its type's, unique among the store's statements.
    static var name: String { String(describing: Self.self) }

    var statement: PostgresStatement { PostgresStatement(Self.sql, prepared: Self.name, makeBindings()) }

    /// Runs it on `pool` and decodes every row.
    func rows(on pool: BoundedPool) async throws -> [Row] {
        let result = try await pool.query(statement)
        return try result.rows.map(decodeRow)
    }
}
