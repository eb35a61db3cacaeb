import Foundation
import Logging
import PostgresNIO

extension CruddurPostgresStore: ActivityStore {
    public func homeFeed(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws -> FeedPage
    {
        let (micros, uuid) = Self.bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let visibilities = readable.map(\.rawValue)
        return try await database.run { client in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.activityColumns)
                FROM activities a JOIN users u ON u.uuid = a.user_uuid
                WHERE a.reply_to_activity_uuid IS NULL AND a.expires_at > \(now)
                  AND a.visibility = ANY(\(visibilities))
                  AND (a.created_at, a.uuid) < ('epoch'::timestamptz + \(seconds) * interval '1 second' + \(fraction) * interval '1 microsecond', \(uuid))
                ORDER BY a.created_at DESC, a.uuid DESC
                LIMIT \(page.limit + 1)
                """, logger: logger)
            let items = try await Self.decodeActivities(rows)
            let page = FeedPage(overfetched: items, limit: page.limit)
            let withReplies = try await attachReplies(
                to: page.items, readable: readable, now: now, client: client, logger: logger)
            return FeedPage(items: withReplies, next: page.next)
        }
    }

    public func notifications(
        for userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> FeedPage {
        let (micros, uuid) = Self.bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let visibilities = readable.map(\.rawValue)
        return try await database.run { client in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.activityColumns)
                FROM activities p
                JOIN activities a ON a.reply_to_activity_uuid = p.uuid
                JOIN users u ON u.uuid = a.user_uuid
                WHERE p.user_uuid = \(userUUID) AND a.user_uuid <> \(userUUID) AND a.expires_at > \(now)
                  AND a.visibility = ANY(\(visibilities))
                  AND (a.created_at, a.uuid) < ('epoch'::timestamptz + \(seconds) * interval '1 second' + \(fraction) * interval '1 microsecond', \(uuid))
                ORDER BY a.created_at DESC, a.uuid DESC
                LIMIT \(page.limit + 1)
                """, logger: logger)
            return FeedPage(overfetched: try await Self.decodeActivities(rows), limit: page.limit)
        }
    }

    public func userFeed(
        handle: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> FeedPage? {
        guard let user = try await user(handle: handle, logger: logger) else { return nil }
        let (micros, uuid) = Self.bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let visibilities = readable.map(\.rawValue)
        return try await database.run { client in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.activityColumns)
                FROM activities a JOIN users u ON u.uuid = a.user_uuid
                WHERE a.user_uuid = \(user.uuid) AND a.reply_to_activity_uuid IS NULL AND a.expires_at > \(now)
                  AND a.visibility = ANY(\(visibilities))
                  AND (a.created_at, a.uuid) < ('epoch'::timestamptz + \(seconds) * interval '1 second' + \(fraction) * interval '1 microsecond', \(uuid))
                ORDER BY a.created_at DESC, a.uuid DESC
                LIMIT \(page.limit + 1)
                """, logger: logger)
            let page = FeedPage(overfetched: try await Self.decodeActivities(rows), limit: page.limit)
            let items = try await attachReplies(
                to: page.items, readable: readable, now: now, client: client, logger: logger)
            return FeedPage(items: items, next: page.next)
        }
    }

    public func search(term: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        let (micros, uuid) = Self.bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        let visibilities = readable.map(\.rawValue)
        let pattern = "%" + Self.escapeLike(term) + "%"
        return try await database.run { client in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.activityColumns)
                FROM activities a JOIN users u ON u.uuid = a.user_uuid
                WHERE a.message ILIKE \(pattern) ESCAPE '\\' AND a.expires_at > \(now)
                  AND a.visibility = ANY(\(visibilities))
                  AND (a.created_at, a.uuid) < ('epoch'::timestamptz + \(seconds) * interval '1 second' + \(fraction) * interval '1 microsecond', \(uuid))
                ORDER BY a.created_at DESC, a.uuid DESC
                LIMIT \(page.limit + 1)
                """, logger: logger)
            let page = FeedPage(overfetched: try await Self.decodeActivities(rows), limit: page.limit)
            let items = try await attachReplies(
                to: page.items, readable: readable, now: now, client: client, logger: logger)
            return FeedPage(items: items, next: page.next)
        }
    }

    public func activity(_ uuid: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Activity? {
        let visibilities = readable.map(\.rawValue)
        return try await database.run { client in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.activityColumns)
                FROM activities a JOIN users u ON u.uuid = a.user_uuid
                WHERE a.uuid = \(uuid) AND a.expires_at > \(now) AND a.visibility = ANY(\(visibilities))
                """, logger: logger)
            let found = try await Self.decodeActivities(rows)
            return try await attachReplies(to: found, readable: readable, now: now, client: client, logger: logger)
                .first
        }
    }

    public func insertActivity(_ activity: NewActivity, logger: Logger) async throws -> Activity {
        try await database.run { client in
            let rows = try await client.query(
                """
                WITH a AS (
                    INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at)
                    VALUES (\(activity.uuid), \(activity.authorUUID), \(activity.message),
                            \(activity.visibility.rawValue), \(activity.expiresAt), \(activity.createdAt))
                    RETURNING *
                )
                SELECT \(unescaped: Self.activityColumns) FROM a JOIN users u ON u.uuid = a.user_uuid
                """, logger: logger)
            guard let inserted = try await Self.decodeActivities(rows).first else { throw StoreError.unknownAuthor }
            return inserted
        }
    }

    public func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, logger: Logger
    ) async throws -> Activity? {
        let visibilities = readable.map(\.rawValue)
        // One statement: the parent's count and the reply are written together or not at all.
        return try await database.run { client in
            let rows = try await client.query(
                """
                WITH p AS (
                    UPDATE activities SET replies_count = replies_count + 1
                    WHERE uuid = \(parent) AND expires_at > \(now) AND visibility = ANY(\(visibilities))
                    RETURNING uuid
                ), a AS (
                    INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at,
                                            reply_to_activity_uuid)
                    SELECT \(reply.uuid), \(reply.authorUUID), \(reply.message), \(reply.visibility.rawValue),
                           \(reply.expiresAt), \(reply.createdAt), p.uuid
                    FROM p
                    RETURNING *
                )
                SELECT \(unescaped: Self.activityColumns) FROM a JOIN users u ON u.uuid = a.user_uuid
                """, logger: logger)
            return try await Self.decodeActivities(rows).first
        }
    }

    public func checkHealth(logger: Logger) async -> DependencyState {
        do {
            try await database.run { client in try await client.query("SELECT 1", logger: logger) }
            return .ok
        } catch {
            return .down
        }
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
