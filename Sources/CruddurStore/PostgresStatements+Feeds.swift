import CruddurDomain
import Foundation
import PostgresDriver

/// The keyset-paged feeds, each one prepared statement.
extension PostgresStatements {
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

    /// Cruds and replies whose message matches the ILIKE pattern $7, found through the words index by the word
    /// query $8 (`search_words` of the term, migration 0013): prepared, for terms that hold a rare word
    /// (``SearchWordStatistics``). See ``searchSQL(byWords:)``.
    struct SearchByWords: KeysetFeedStatement {
        typealias Row = FeedRow
        static let sql = searchSQL(byWords: true)
        let pattern: String
        let words: String
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: String? { pattern }

        func makeBindings() -> PostgresParameters {
            var bindings = PostgresStatements.pageBindings(now: now, readable: readable, page: page)
            bindings.append(pattern)
            bindings.append(words)
            return bindings
        }
    }

    /// Cruds and replies whose message matches the ILIKE pattern $7, newest first, by walking the newest cruds:
    /// prepared, for terms that at least one crud in twenty matches (``SearchWordStatistics``). See
    /// ``searchSQL(byWords:)``.
    struct SearchWalk: KeysetFeedStatement {
        typealias Row = FeedRow
        static let sql = searchSQL(byWords: false)
        let pattern: String
        let now: Date
        let readable: [Visibility]
        let page: PageRequest

        var filter: String? { pattern }
    }

    /// The prepared searches: the page of cruds whose message matches $7, through the words index by the
    /// word query $8 or by walking the newest cruds.
    ///
    /// The match is written on an expression, `(a.message || '')`, so that no plan turns to the trigram index:
    /// beside the words index PostgreSQL ANDed in its scan, which for these terms reads whole posting lists
    /// (20 ms at 1M cruds, against 0.3 ms without it), and for a walk it sorts every match (13.5 ms for
    /// `%cloud%` at 10k cruds). Every value is read through `(SELECT $n)`, which PostgreSQL plans as a value it
    /// does not know: so the plan for the values (custom) costs what the plan for any values (generic) does,
    /// and PostgreSQL keeps the generic one after five executions. With the values in sight it planned each
    /// walk again at 1M cruds (1.1 ms of `bind` against 0.3 ms of `execute`): the generic plan's defaults (an
    /// unknown limit, a third of the rows unexpired) priced the same walk at five times the custom one.
    static func searchSQL(byWords: Bool) -> String {
        feedWithRepliesSQL(
            feed: """
                SELECT \(activityColumns)
                FROM activities a JOIN users u ON u.uuid = a.user_uuid
                WHERE \(byWords ? "message_words(a.message) @@ (SELECT $8::tsquery) AND" : "") \
                (a.message || '') ILIKE (SELECT $7) ESCAPE '\\'
                  AND a.expires_at > (SELECT $1) AND a.visibility = ANY((SELECT $2)::text[])
                  AND (a.created_at, a.uuid) < (
                      (SELECT 'epoch'::timestamptz + $3 * interval '1 second' + $4 * interval '1 microsecond'),
                      (SELECT $5))
                ORDER BY a.created_at DESC, a.uuid DESC
                LIMIT (SELECT $6)
                """, now: "(SELECT $1)", readable: "(SELECT $2)::text[]")
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
}
