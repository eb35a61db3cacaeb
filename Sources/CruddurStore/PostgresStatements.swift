import CruddurDomain
import Foundation
import PostgresNIO

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

    /// The activity in ``activityColumns``, read cell by cell from `cells`. Each cell is decoded as its own
    /// concrete type: decoding the whole row as one tuple of eleven went through PostgresNIO's generic
    /// (parameter pack) path, 12% of the server's CPU on a page of home (`perf`).
    static func activity(from cells: inout PostgresRow.Iterator) throws -> Activity {
        func next() throws -> PostgresCell {
            guard let cell = cells.next() else { throw UnexpectedRowShape() }
            return cell
        }
        return Activity(
            uuid: try next().decode(UUID.self), displayName: try next().decode(String.self),
            handle: try next().decode(String.self), message: try next().decode(String.self),
            repliesCount: try next().decode(Int.self), repostsCount: try next().decode(Int.self),
            likesCount: try next().decode(Int.self), replyToActivityUUID: try next().decode(UUID?.self),
            visibility: Visibility(rawValue: try next().decode(String.self)) ?? .members,
            expiresAt: try next().decode(Date.self), createdAt: try next().decode(Date.self))
    }

    /// A row of ``activityColumns``.
    static func activity(_ row: PostgresRow) throws -> Activity {
        var cells = row.makeIterator()
        return try activity(from: &cells)
    }

    /// A row of a feed with embedded replies: its part, then ``activityColumns``.
    static func feedRow(_ row: PostgresRow) throws -> FeedRow {
        var cells = row.makeIterator()
        guard let part = cells.next() else { throw UnexpectedRowShape() }
        return (try part.decode(Int.self), try activity(from: &cells))
    }

    /// A row with fewer columns than the statement selects.
    struct UnexpectedRowShape: Error {}

    /// The bindings shared by keyset-paged feeds: now, visibilities, cursor seconds, microseconds, uuid.
    static func pageBindings(now: Date, readable: [Visibility], page: PageRequest) -> PostgresBindings {
        let (micros, uuid) = CruddurPostgresStore.bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        var bindings = PostgresBindings(capacity: 7)
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
protocol KeysetFeedStatement: PostgresPreparedStatement {
    associatedtype Filter: PostgresEncodable & Sendable
    var filter: Filter? { get }
    var now: Date { get }
    var readable: [Visibility] { get }
    var page: PageRequest { get }
}

extension KeysetFeedStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresStatements.pageBindings(now: now, readable: readable, page: page)
        if let filter { try bindings.append(filter) }
        return bindings
    }
}

extension KeysetFeedStatement {
    /// The statement as an unprepared query, planned for its values.
    var query: PostgresQuery {
        get throws { PostgresQuery(unsafeSQL: Self.sql, binds: try makeBindings()) }
    }
}

extension KeysetFeedStatement where Row == Activity {
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.activity(row) }
}

extension KeysetFeedStatement where Row == PostgresStatements.FeedRow {
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.feedRow(row) }
}
