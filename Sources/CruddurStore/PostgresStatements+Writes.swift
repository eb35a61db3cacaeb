import CruddurDomain
import Foundation
import PostgresDriver

/// Writes.
extension PostgresStatements {
    /// A crud, or with $1 a reply to it (counted on the parent, which must be unexpired at $2 and have a
    /// visibility in $3), with its idempotency key ($10, $11) and its mentions ($12), in one statement; its
    /// row in ``activityColumns``, none when the parent is not there or the author ($5) has no users row.
    /// Prepared: parsing and planning these four writes took PostgreSQL longer than running them (0.18 ms
    /// parse and 0.28 ms bind against 0.29 ms execute, `log_min_duration_statement`). Every parameter is cast
    /// so its type never depends on whether the first execution on a connection bound a NULL.
    struct InsertActivity: PreparedQuery {
        static let sql = """
            WITH p AS (
                UPDATE activities SET replies_count = replies_count + 1
                WHERE uuid = $1::uuid AND expires_at > $2::timestamptz AND visibility = ANY($3::text[])
                RETURNING uuid, user_uuid
            ), a AS (
                INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at,
                                        reply_to_activity_uuid, reply_to_user_uuid)
                SELECT $4::uuid, $5::uuid, $6::text, $7::text, $8::timestamptz, $9::timestamptz, p.uuid, p.user_uuid
                FROM (SELECT) AS one LEFT JOIN p ON true
                WHERE $1::uuid IS NULL OR p.uuid IS NOT NULL
                RETURNING *
            ), k AS (
                INSERT INTO idempotency_keys (user_uuid, key, request_hash, activity_uuid)
                SELECT a.user_uuid, $10::text, $11::bytea, a.uuid
                FROM a WHERE $10::text IS NOT NULL
            ), m AS (
                INSERT INTO mentions (user_uuid, activity_uuid)
                SELECT n.uuid, a.uuid FROM a JOIN users n ON lower(n.handle) = ANY($12::text[])
                WHERE n.uuid <> a.user_uuid
            )
            SELECT \(activityColumns) FROM a JOIN users u ON u.uuid = a.user_uuid
            """
        typealias Row = Activity
        let new: NewActivity
        let parent: UUID?
        let now: Date
        let readable: [Visibility]
        let idempotency: IdempotencyKey?

        func makeBindings() -> PostgresParameters {
            var bindings = PostgresParameters(capacity: 12)
            bindings.append(parent)
            bindings.append(now)
            bindings.append(readable.map(\.rawValue))
            bindings.append(new.uuid)
            bindings.append(new.authorUUID)
            bindings.append(new.message)
            bindings.append(new.visibility.rawValue)
            bindings.append(new.expiresAt)
            bindings.append(new.createdAt)
            bindings.append(idempotency?.key)
            bindings.append(idempotency?.requestHash)
            bindings.append(Handle.mentioned(in: new.message))
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try PostgresStatements.activity(row) }
    }
}
