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
        """
        WITH f AS MATERIALIZED (\(keysetSQL(where: condition)))
        SELECT 0, f.* FROM f
        UNION ALL
        SELECT 1, r.* FROM f CROSS JOIN LATERAL (
            SELECT \(activityColumns)
            FROM activities a JOIN users u ON u.uuid = a.user_uuid
            WHERE f.replies_count > 0 AND a.reply_to_activity_uuid = f.uuid AND a.expires_at > $1
              AND a.visibility = ANY($2)
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

    /// Top-level cruds, newest first.
    struct HomeFeed: KeysetFeedStatement {
        typealias Row = FeedRow
        static let sql = feedWithRepliesSQL(
            where: "a.reply_to_activity_uuid IS NULL AND a.expires_at > $1 AND a.visibility = ANY($2)")
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: UUID? { nil }
    }

    /// Replies by others to the cruds of user $7, and cruds that mention them, newest first.
    ///
    /// Two keyset scans, each at most a page long, appended: the replies from `activities_notifications_idx`,
    /// the mentions (other than those replies) through `mentions_pkey`. One `OR` across the two made
    /// PostgreSQL scan the whole table on every request (4.6 ms at 10k cruds, `EXPLAIN ANALYZE`; 0.4 ms so).
    struct Notifications: KeysetFeedStatement {
        typealias Row = Activity
        static let sql = """
            SELECT \(activityColumns)
            FROM (
                (SELECT a.* FROM activities a
                 WHERE a.reply_to_user_uuid = $7 AND a.user_uuid <> $7 AND a.expires_at > $1
                   AND a.visibility = ANY($2) AND \(beforeCursor)
                 ORDER BY a.created_at DESC, a.uuid DESC LIMIT $6)
                UNION ALL
                (SELECT a.* FROM mentions m JOIN activities a ON a.uuid = m.activity_uuid
                 WHERE m.user_uuid = $7 AND (a.reply_to_user_uuid IS DISTINCT FROM $7 OR a.user_uuid = $7)
                   AND a.expires_at > $1 AND a.visibility = ANY($2) AND \(beforeCursor)
                 ORDER BY a.created_at DESC, a.uuid DESC LIMIT $6)
            ) a JOIN users u ON u.uuid = a.user_uuid
            ORDER BY a.created_at DESC, a.uuid DESC
            LIMIT $6
            """
        let user: UUID
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: UUID? { user }
    }

    /// The top-level cruds of user $7, newest first.
    struct UserFeed: KeysetFeedStatement {
        typealias Row = FeedRow
        static let sql = feedWithRepliesSQL(
            where:
                "a.user_uuid = $7 AND a.reply_to_activity_uuid IS NULL AND a.expires_at > $1 AND a.visibility = ANY($2)"
        )
        let user: UUID
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: UUID? { user }
    }

    /// Cruds and replies whose message matches the ILIKE pattern $7 (with `\\` as its escape), newest first.
    /// Run unprepared, so that each pattern is planned for itself (see ``CruddurPostgresStore/search``).
    struct Search: KeysetFeedStatement {
        typealias Row = FeedRow
        static let sql = feedWithRepliesSQL(
            where: "a.message ILIKE $7 ESCAPE '\\' AND a.expires_at > $1 AND a.visibility = ANY($2)")
        let pattern: String
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: String? { pattern }
    }

    /// A page of the replies to crud $7, newest first.
    struct RepliesPage: KeysetFeedStatement {
        typealias Row = Activity
        static let sql = keysetSQL(
            where: "a.reply_to_activity_uuid = $7 AND a.expires_at > $1 AND a.visibility = ANY($2)")
        let parent: UUID
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: UUID? { parent }
    }

    /// Crud $7 (part 0) and a page of its replies, newest first (part 1), in one round trip: showing a crud
    /// took two statements, and each statement costs the server more CPU than PostgreSQL spends on it.
    struct ActivityWithReplies: KeysetFeedStatement {
        typealias Row = FeedRow
        static let sql = """
            SELECT 0, \(activityColumns)
            FROM activities a JOIN users u ON u.uuid = a.user_uuid
            WHERE a.uuid = $7 AND a.expires_at > $1 AND a.visibility = ANY($2)
            UNION ALL
            SELECT 1, r.* FROM (\(RepliesPage.sql)) r
            ORDER BY 1, 12 DESC, 2 DESC
            """
        let parent: UUID
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: UUID? { parent }
    }

    /// The user whose handle is $1, compared case-insensitively (the users_handle_lower_key index).
    struct UserByHandle: UserLookup {
        static let sql = "SELECT \(CruddurPostgresStore.userColumns) FROM users WHERE lower(handle) = lower($1)"
        let key: String
    }

    /// How many unexpired top-level cruds of user $1 with a visibility in $3 exist at $2.
    struct CrudsCount: PostgresPreparedStatement {
        static let sql = """
            SELECT count(*)::int FROM activities
            WHERE user_uuid = $1 AND reply_to_activity_uuid IS NULL AND expires_at > $2 AND visibility = ANY($3)
            """
        typealias Row = Int
        let user: UUID
        let now: Date
        let readable: [Visibility]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 3)
            bindings.append(user)
            bindings.append(now)
            bindings.append(readable.map(\.rawValue))
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int.self) }
    }

    /// The user who signs in as Cognito `sub` $1.
    struct UserBySub: UserLookup {
        static let sql = "SELECT \(CruddurPostgresStore.userColumns) FROM users WHERE cognito_user_id = $1"
        let key: String
    }
}

/// A user found by one text key, $1.
protocol UserLookup: PostgresPreparedStatement where Row == CruddurPostgresStore.UserRow {
    var key: String { get }
}

extension UserLookup {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(key)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
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

extension KeysetFeedStatement where Row == Activity {
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.activity(row) }
}

extension KeysetFeedStatement where Row == PostgresStatements.FeedRow {
    func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.feedRow(row) }
}
