import CruddurDomain
import Foundation
import Logging
import PostgresDriver
import ServiceLifecycle

extension CruddurPostgresStore {
    /// Runs `write`, whose statement stores `key` beside what it creates. When the key's primary key already
    /// exists the whole statement rolled back: the first request's result is returned instead, or
    /// ``StoreError/idempotencyKeyReused`` when it asked for something else. A key past its lifetime is
    /// dropped and the write tried once more.
    static func idempotent(
        _ key: IdempotencyKey?, author: UUID, pool: BoundedPool, _ write: () async throws -> Activity?
    ) async throws -> Activity? {
        guard let key else { return try await write() }
        var parameters = PostgresParameters(capacity: 3)
        parameters.append(author)
        parameters.append(key.key)
        parameters.append(Int64(IdempotencyKey.lifetime))
        for _ in 0..<2 {
            do {
                return try await write()
            } catch let error as PostgresError where error.constraint == "idempotency_keys_pkey" {
                let found = try await pool.query(
                    PostgresStatement(
                        """
                        SELECT request_hash, activity_uuid, created_at > now() - $3 * interval '1 second'
                        FROM idempotency_keys WHERE user_uuid = $1 AND key = $2
                        """, prepared: "idempotency_key", parameters))
                if var row = found.rows.first {
                    let (hash, activity, fresh) = (
                        try row.next(Data.self), try row.next(UUID.self), try row.next(Bool.self)
                    )
                    if fresh {
                        guard hash == key.requestHash else { throw StoreError.idempotencyKeyReused }
                        return try await storedActivity(activity, pool: pool)
                    }
                }
                _ = try await pool.query(
                    PostgresStatement(
                        """
                        DELETE FROM idempotency_keys WHERE user_uuid = $1 AND key = $2
                        AND created_at <= now() - $3 * interval '1 second'
                        """, prepared: "idempotency_key_expired", parameters))
            }
        }
        throw StoreError.idempotencyKeyReused
    }

    /// The crud or reply an idempotency key names, as first returned: by uuid alone, since it is the caller's own.
    static func storedActivity(_ uuid: UUID, pool: BoundedPool) async throws -> Activity? {
        var parameters = PostgresParameters(capacity: 1)
        parameters.append(uuid)
        let rows = try await pool.query(
            PostgresStatement(
                "SELECT \(activityColumns) FROM activities a JOIN users u ON u.uuid = a.user_uuid WHERE a.uuid = $1",
                prepared: "stored_activity", parameters))
        return try decodeActivities(rows).first
    }

    /// Deletes idempotency keys past their lifetime.
    func purgeIdempotencyKeys(logger: Logger) async throws {
        var parameters = PostgresParameters(capacity: 1)
        parameters.append(Int64(IdempotencyKey.lifetime))
        let bound = parameters
        try await database.run("purge_idempotency_keys") { pool in
            try await pool.query(
                PostgresStatement(
                    "DELETE FROM idempotency_keys WHERE created_at <= now() - $1 * interval '1 second'", bound))
        }
    }
}

/// Deletes expired idempotency keys every hour, so the table holds about one day of writes.
package struct IdempotencyKeyPurge: Service {
    let store: CruddurPostgresStore
    let logger: Logger

    package init(store: CruddurPostgresStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    package func run() async {
        await cancelWhenGracefulShutdown {
            // Sleeping throws when the server stops: then no purge starts, and none is reported as failed.
            while (try? await Task.sleep(for: .seconds(3600))) != nil {
                do {
                    try await store.purgeIdempotencyKeys(logger: logger)
                } catch {
                    guard !Task.isCancelled else { return }
                    logger.warning("Could not purge expired idempotency keys", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
