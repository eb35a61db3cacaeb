import CruddurDomain
import Foundation
import Logging
import PostgresDriver

extension CruddurPostgresStore: MessageStore {
    /// The cursor bound `'epoch' + seconds + microseconds` of ``PostgresStatements/beforeCursor``, for
    /// statements written with interpolation.
    static func cursorBinds(_ page: PageRequest) -> (seconds: Int64, micros: Int64, uuid: UUID) {
        let (micros, uuid) = bounds(page)
        let (seconds, fraction) = micros.quotientAndRemainder(dividingBy: 1_000_000)
        return (seconds, fraction, uuid)
    }

    /// The member (or group) as $1, the cursor as $2 seconds, $3 microseconds and $4 uuid, and $5 the limit.
    static func pageParameters(_ key: UUID, _ page: PageRequest) -> PostgresParameters {
        let (seconds, micros, before) = cursorBinds(page)
        var parameters = PostgresParameters(capacity: 6)
        parameters.append(key)
        parameters.append(seconds)
        parameters.append(micros)
        parameters.append(before)
        parameters.append(page.limit + 1)
        return parameters
    }

    static let cursorBound = "('epoch'::timestamptz + $2 * interval '1 second' + $3 * interval '1 microsecond', $4)"

    public func messageGroups(of member: UUID, page: PageRequest, logger: Logger) async throws -> Page<MessageGroup> {
        let parameters = Self.pageParameters(member, page)
        return try await database.run("message_groups") { pool in
            // Each side's index gives its conversations in order and a merge takes the first page; the other
            // member and the latest message are one index lookup each per conversation on the page, so the
            // cost follows the page, not the tables (EXPLAIN ANALYZE at 100k messages and 1,000 conversations: index scans only, 0.5 ms).
            let result = try await pool.query(
                PostgresStatement(
                    """
                    WITH mine AS (
                        (SELECT uuid, user_b AS other, last_message_at FROM message_groups
                         WHERE user_a = $1 AND (last_message_at, uuid) < \(Self.cursorBound)
                         ORDER BY last_message_at DESC, uuid DESC LIMIT $5)
                        UNION ALL
                        (SELECT uuid, user_a AS other, last_message_at FROM message_groups
                         WHERE user_b = $1 AND (last_message_at, uuid) < \(Self.cursorBound)
                         ORDER BY last_message_at DESC, uuid DESC LIMIT $5)
                        ORDER BY last_message_at DESC, uuid DESC LIMIT $5
                    )
                    SELECT mine.uuid, other.handle, other.display_name, latest.message, mine.last_message_at
                    FROM mine
                    CROSS JOIN LATERAL (SELECT handle, display_name FROM users WHERE uuid = mine.other LIMIT 1) other
                    CROSS JOIN LATERAL (
                        SELECT m.message FROM messages m WHERE m.message_group_uuid = mine.uuid
                        ORDER BY m.created_at DESC, m.uuid DESC LIMIT 1
                    ) latest
                    ORDER BY mine.last_message_at DESC, mine.uuid DESC
                    """, prepared: "message_groups", parameters))
            let groups = try result.rows.map { row in
                var row = row
                return MessageGroup(
                    uuid: try row.next(UUID.self), handle: try row.next(String.self),
                    displayName: try row.next(String.self), message: try row.next(String.self),
                    createdAt: try row.next(Date.self))
            }
            return Page(overfetched: groups, limit: page.limit, cursor: \.cursor)
        }
    }

    public func messages(in group: UUID, member: UUID, page: PageRequest, logger: Logger) async throws
        -> Page<Message>?
    {
        var parameters = Self.pageParameters(group, page)
        parameters.append(member)
        let bound = parameters
        return try await database.run("messages") { pool in
            // The membership (part 0) and the page (part 1) in one statement.
            let result = try await pool.query(
                PostgresStatement(
                    """
                    SELECT 0, NULL::uuid, NULL::uuid, NULL, NULL, NULL, NULL::timestamptz
                    FROM message_groups WHERE uuid = $1 AND (user_a = $6 OR user_b = $6)
                    UNION ALL
                    (SELECT 1, \(Self.messageColumns)
                     FROM messages m JOIN users u ON u.uuid = m.user_uuid
                     WHERE m.message_group_uuid = $1 AND (m.created_at, m.uuid) < \(Self.cursorBound)
                       AND EXISTS (SELECT 1 FROM message_groups WHERE uuid = $1 AND (user_a = $6 OR user_b = $6))
                     ORDER BY m.created_at DESC, m.uuid DESC LIMIT $5)
                    ORDER BY 1, 7 DESC, 2 DESC
                    """, prepared: "messages", bound))
            guard try result.rows.first?.decode(Int.self, column: 0) == 0 else { return nil }
            let messages = try result.rows.dropFirst().map { row in
                var row = row
                _ = try row.next(Int.self)
                return try Self.message(from: &row)
            }
            return Page(overfetched: messages, limit: page.limit, cursor: \.cursor)
        }
    }

    public func writeMessage(_ new: NewMessage, logger: Logger) async throws -> Message? {
        // One unit: the conversation is found (or, for a user, started) and bumped, and the message written,
        // together or not at all; then the message as stored, in the same transaction. A conversation the author
        // is not in yields no row.
        var bindings = PostgresParameters(capacity: 8)
        bindings.append(new.uuid)  // $1
        bindings.append(new.authorUUID)  // $2
        bindings.append(new.message)  // $3
        bindings.append(new.idempotencyKey)  // $4
        bindings.append(new.createdAt)  // $5
        let group: String
        switch new.recipient {
        case .group(let uuid):
            bindings.append(uuid)  // $6
            group = """
                UPDATE message_groups SET last_message_at = greatest(last_message_at, $5)
                WHERE uuid = $6 AND (user_a = $2 OR user_b = $2) RETURNING uuid
                """
        case .user(let other):
            let (a, b) = Self.ordered(new.authorUUID, other)
            bindings.append(UUID())  // $6
            bindings.append(a)  // $7
            bindings.append(b)  // $8
            group = """
                INSERT INTO message_groups (uuid, user_a, user_b, last_message_at) VALUES ($6, $7, $8, $5)
                ON CONFLICT (user_a, user_b)
                DO UPDATE SET last_message_at = greatest(message_groups.last_message_at, excluded.last_message_at)
                RETURNING uuid
                """
        }
        let write = PostgresStatement(
            """
            WITH g AS (\(group)), m AS (
                INSERT INTO messages (uuid, message_group_uuid, user_uuid, message, idempotency_key, created_at)
                SELECT $1, g.uuid, $2, $3, $4, $5 FROM g
                ON CONFLICT (user_uuid, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING uuid
            )
            SELECT (SELECT uuid FROM g), (SELECT uuid FROM m)
            """, bindings)
        // The message stored: this one, or the one the author's Idempotency-Key stored before.
        var lookup = PostgresParameters(capacity: 3)
        lookup.append(new.uuid)
        lookup.append(new.authorUUID)
        lookup.append(new.idempotencyKey)
        let stored = PostgresStatement(
            """
            SELECT \(Self.messageColumns) FROM messages m JOIN users u ON u.uuid = m.user_uuid
            WHERE m.uuid = $1 OR (m.user_uuid = $2 AND m.idempotency_key = $3)
            ORDER BY m.uuid = $1 DESC LIMIT 1
            """, prepared: "stored_message", lookup)
        return try await database.run("write_message") { pool in
            let results = try await pool.run([write, stored])
            guard var written = results[0].rows.first, try written.next(UUID?.self) != nil else { return nil }
            let wroteMessage = try written.next(UUID?.self) != nil
            guard var row = results[1].rows.first else { return nil }
            let message = try Self.message(from: &row)
            if !wroteMessage, message.message != new.message { throw StoreError.idempotencyKeyReused }
            return message
        }
    }

    /// A pair of users as `message_groups` stores it: `user_a < user_b` in PostgreSQL's uuid order
    /// (bytewise, the order of the lowercase text form).
    static func ordered(_ one: UUID, _ other: UUID) -> (UUID, UUID) {
        one.uuidString.lowercased() < other.uuidString.lowercased() ? (one, other) : (other, one)
    }

    static let messageColumns = "m.uuid, m.message_group_uuid, u.handle, u.display_name, m.message, m.created_at"

    /// A message from ``messageColumns`` where `row`'s cursor stands.
    static func message(from row: inout PostgresRow) throws -> Message {
        Message(
            uuid: try row.next(UUID.self), messageGroupUUID: try row.next(UUID.self), handle: try row.next(String.self),
            displayName: try row.next(String.self), message: try row.next(String.self),
            createdAt: try row.next(Date.self))
    }
}
