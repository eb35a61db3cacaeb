import CruddurDomain
import CruddurRuntime
import Foundation
import Logging
import PostgresDriver

extension CruddurPostgresStore: ActivityStore {
    public func homeFeed(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws -> FeedPage
    {
        try await database.read("home_feed", mayLag: readable.mayLag) { pool in
            let statement = PostgresStatements.HomeFeed(now: now, readable: readable, page: page)
            return try await Self.feedPage(statement, limit: page.limit, pool: pool)
        }
    }

    public func notifications(
        for userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> FeedPage {
        try await database.run("notifications") { pool in
            let statement = PostgresStatements.Notifications(user: userUUID, now: now, readable: readable, page: page)
            return FeedPage(overfetched: try await statement.rows(on: pool), limit: page.limit)
        }
    }

    public func userFeed(of userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        try await database.read("user_feed", mayLag: readable.mayLag) { pool in
            let statement = PostgresStatements.UserFeed(user: userUUID, now: now, readable: readable, page: page)
            return try await Self.feedPage(statement, limit: page.limit, pool: pool)
        }
    }

    public func activitiesCount(of userUUID: UUID, readable: [Visibility], now: Date, logger: Logger) async throws
        -> Int
    {
        try await database.read("activities_count", mayLag: readable.mayLag) { pool in
            let statement = PostgresStatements.ActivitiesCount(key: userUUID, now: now, readable: readable)
            return try await statement.rows(on: pool).first ?? 0
        }
    }

    public func search(term: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        let pattern = "%" + Self.escapeLike(term) + "%"
        return try await database.read("search", mayLag: readable.mayLag) { pool in
            await searchWords.refreshIfStale(pool: pool, logger: logger)
            if let words = searchWords.rareWordQuery(term) {
                let statement = PostgresStatements.SearchByWords(
                    pattern: pattern, words: words, now: now, readable: readable, page: page)
                return try await Self.feedPage(statement, limit: page.limit, pool: pool)
            }
            if searchWords.isInFrequentWord(term) {
                let statement = PostgresStatements.SearchWalk(
                    pattern: pattern, now: now, readable: readable, page: page)
                return try await Self.feedPage(statement, limit: page.limit, pool: pool)
            }
            // Not prepared: each term gets its own plan (the newest rows walked, or the trigram index), which a
            // cached generic plan cannot choose between.
            let statement = PostgresStatements.Search(pattern: pattern, now: now, readable: readable, page: page)
            let found = try await pool.query(statement.unprepared)
            return Self.feedPage(try found.rows.map(PostgresStatements.feedRow), limit: page.limit)
        }
    }

    public func activity(_ uuid: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Activity? {
        var parameters = PostgresParameters(capacity: 3)
        parameters.append(uuid)
        parameters.append(now)
        parameters.append(readable.map(\.rawValue))
        let bound = parameters
        return try await database.read("activity", mayLag: readable.mayLag) { pool in
            let rows = try await pool.query(
                PostgresStatement(
                    """
                    SELECT \(Self.activityColumns)
                    FROM activities a JOIN users u ON u.uuid = a.user_uuid
                    WHERE a.uuid = $1 AND a.expires_at > $2 AND a.visibility = ANY($3)
                    """, prepared: "activity", bound))
            return try Self.decodeActivities(rows).first
        }
    }

    public func replies(to parent: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        try await database.read("replies", mayLag: readable.mayLag) { pool in
            let statement = PostgresStatements.RepliesPage(parent: parent, now: now, readable: readable, page: page)
            return FeedPage(overfetched: try await statement.rows(on: pool), limit: page.limit)
        }
    }

    public func activityWithReplies(
        _ uuid: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> (activity: Activity, replies: FeedPage)? {
        try await database.read("activity_with_replies", mayLag: readable.mayLag) { pool in
            let statement = PostgresStatements.ActivityWithReplies(
                parent: uuid, now: now, readable: readable, page: page)
            var activity: Activity?
            var replies: [Activity] = []
            for (part, decoded) in try await statement.rows(on: pool) {
                if part == 0 { activity = decoded } else { replies.append(decoded) }
            }
            guard let activity else { return nil }
            return (activity, FeedPage(overfetched: replies, limit: page.limit))
        }
    }

    public func insertActivity(_ activity: NewActivity, idempotency: IdempotencyKey?, logger: Logger) async throws
        -> Activity
    {
        let stored = try await insert(
            activity, replyingTo: nil, readable: [], now: activity.createdAt, idempotency: idempotency,
            statement: "insert_activity", logger: logger)
        guard let stored else { throw StoreError.unknownAuthor }
        return stored
    }

    public func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, idempotency: IdempotencyKey?,
        logger: Logger
    ) async throws -> Activity? {
        try await insert(
            reply, replyingTo: parent, readable: readable, now: now, idempotency: idempotency,
            statement: "insert_reply", logger: logger)
    }

    /// Writes a crud, or with `parent` a reply to it (counted on the parent, which must be unexpired and
    /// readable), with its idempotency key and mentions, in one statement committed before it answers:
    /// all of it is stored or none. `nil` when the parent is not there or the author has no users row.
    func insert(
        _ new: NewActivity, replyingTo parent: UUID?, readable: [Visibility], now: Date, idempotency: IdempotencyKey?,
        statement: String, logger: Logger
    ) async throws -> Activity? {
        try await database.run(statement) { pool in
            try await Self.idempotent(idempotency, author: new.authorUUID, pool: pool) {
                // One unit, answered after its commit at the unit's Sync.
                let insert = PostgresStatements.InsertActivity(
                    new: new, parent: parent, now: now, readable: readable, idempotency: idempotency)
                return try await insert.rows(on: pool).first
            }
        }
    }

    public func checkHealth(logger: Logger) async -> DependencyState {
        do {
            try await database.run("health") { pool in
                try await pool.query(PostgresStatement("SELECT 1", prepared: "health"))
            }
            return .ok
        } catch {
            return .down
        }
    }

    public func standbyState() -> DependencyState? {
        let standbys = database.readStandbys
        guard !standbys.isEmpty else { return nil }
        return standbys.allSatisfy(\.isServing) ? .ok : .degraded
    }

    /// `term` with LIKE's wildcards and escape character taken literally.
    static func escapeLike(_ term: String) -> String {
        var escaped = ""
        for character in term {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
