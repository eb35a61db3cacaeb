import CruddurDomain
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

extension CruddurPostgresStore {
    /// Runs `write`, whose statement stores `key` beside what it creates. When the key's primary key already
    /// exists the whole statement rolled back: the first request's result is returned instead, or
    /// ``StoreError/idempotencyKeyReused`` when it asked for something else. A key past its lifetime is
    /// dropped and the write tried once more.
    static func idempotent(
        _ key: IdempotencyKey?, author: UUID, client: PostgresClient, logger: Logger,
        _ write: () async throws -> Activity?
    ) async throws -> Activity? {
        guard let key else { return try await write() }
        for _ in 0..<2 {
            do {
                return try await write()
            } catch let error as PSQLError where error.serverInfo?[.constraintName] == "idempotency_keys_pkey" {
                let rows = try await client.query(
                    """
                    SELECT request_hash, activity_uuid, created_at > now() - \(IdempotencyKey.lifetime) * interval '1 second'
                    FROM idempotency_keys WHERE user_uuid = \(author) AND key = \(key.key)
                    """, logger: logger)
                for try await (hash, activity, fresh) in rows.decode((Data, UUID, Bool).self) {
                    guard fresh else { break }
                    guard hash == key.requestHash else { throw StoreError.idempotencyKeyReused }
                    return try await storedActivity(activity, client: client, logger: logger)
                }
                try await client.query(
                    """
                    DELETE FROM idempotency_keys WHERE user_uuid = \(author) AND key = \(key.key)
                    AND created_at <= now() - \(IdempotencyKey.lifetime) * interval '1 second'
                    """, logger: logger)
            }
        }
        throw StoreError.idempotencyKeyReused
    }

    /// The crud or reply an idempotency key names, as first returned: by uuid alone, since it is the caller's own.
    static func storedActivity(_ uuid: UUID, client: PostgresClient, logger: Logger) async throws -> Activity? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: activityColumns)
            FROM activities a JOIN users u ON u.uuid = a.user_uuid WHERE a.uuid = \(uuid)
            """, logger: logger)
        return try await decodeActivities(rows).first
    }

    /// Deletes idempotency keys past their lifetime.
    func purgeIdempotencyKeys(logger: Logger) async throws {
        try await database.run("purge_idempotency_keys") { client in
            try await client.query(
                """
                DELETE FROM idempotency_keys WHERE created_at <= now() - \(IdempotencyKey.lifetime) * interval '1 second'
                """, logger: logger)
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
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(3600))
                do {
                    try await store.purgeIdempotencyKeys(logger: logger)
                } catch {
                    logger.warning("Could not purge expired idempotency keys", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
