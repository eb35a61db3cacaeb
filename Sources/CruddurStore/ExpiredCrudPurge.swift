import CruddurDomain
import Foundation
import Logging
import PostgresDriver
import ServiceLifecycle

/// Deletes cruds `grace` after they expire, every `interval`: their rows, and through the foreign keys'
/// cascades their replies (which expire with them), mentions and idempotency keys. Expired cruds are never
/// read, so deleting them changes no answer; it keeps `activities` and its indexes the size of the cruds alive.
///
/// One replica at a time: each run takes a session-level advisory lock on a connection of its own and skips
/// when another replica holds it. It deletes in batches of ``batchSize``, each its own short transaction that
/// skips rows another transaction has locked, and rests three times as long as each batch took, so it never
/// takes more than a quarter of one PostgreSQL core from the creates and reads beside it. A batch is 20-30 ms
/// of PostgreSQL's time, 60% of it in the foreign keys' per-row cascade triggers (EXPLAIN ANALYZE, 1,000
/// expired cruds of which a tenth have a reply). A crud whose idempotency key is still
/// live stays until the key expires, so a retried write finds what it created rather than writing it again.
package struct ExpiredCrudPurge: Service {
    /// The advisory lock's key ("crudexpi").
    static let lockKey: Int64 = 0x6372_7564_6578_7069
    static let batchSize = 1000
    /// How long it rests after a batch, in units of the batch's own time.
    static let restPerBatchTime = 3.0

    static let deleteBatch = """
        DELETE FROM activities WHERE uuid IN (
            SELECT a.uuid FROM activities a
            WHERE a.expires_at < now() - $1 * interval '1 second'
              AND NOT EXISTS (SELECT 1 FROM idempotency_keys k
                              WHERE k.activity_uuid = a.uuid AND k.created_at > now() - $2 * interval '1 second')
            ORDER BY a.expires_at LIMIT \(batchSize)
            FOR UPDATE SKIP LOCKED)
        """

    let configuration: DatabaseConfiguration
    let interval: Duration
    let grace: Duration
    let logger: Logger

    package init(configuration: DatabaseConfiguration, interval: Duration, grace: Duration, logger: Logger) {
        self.configuration = configuration
        self.interval = interval
        self.grace = grace
        self.logger = logger
    }

    package func run() async {
        let stopped = StopFlag()
        // Graceful shutdown cancels the wait between runs at once; a run in progress stops after its batch.
        await cancelWhenGracefulShutdown {
            await withTaskCancellationHandler {
                while (try? await Task.sleep(for: interval)) != nil {
                    do {
                        let started = ContinuousClock.now
                        guard let deleted = try await purge(stopped: stopped) else { continue }
                        if deleted > 0 {
                            logger.info(
                                "Deleted expired cruds",
                                metadata: ["cruds": "\(deleted)", "seconds": "\(ContinuousClock.now - started)"])
                        }
                    } catch {
                        guard !Task.isCancelled else { return }
                        logger.warning("Could not delete expired cruds", metadata: ["error": "\(error)"])
                    }
                }
            } onCancel: {
                stopped.set()
            }
        }
    }

    /// One run: how many cruds (replies included) it deleted, or `nil` when another replica holds the lock.
    func purge(stopped: StopFlag) async throws -> Int? {
        let graceSeconds = grace.components.seconds
        return try await PostgresDatabase.withSession(
            configuration, logger: logger, connectTimeout: .seconds(3), callTimeout: .seconds(30)
        ) { session in
            var lock = PostgresParameters(capacity: 1)
            lock.append(Self.lockKey)
            guard try session.query("SELECT pg_try_advisory_lock($1)", lock).decode(Bool.self, row: 0, column: 0)
            else { return nil }
            var parameters = PostgresParameters(capacity: 2)
            parameters.append(graceSeconds)
            parameters.append(Int64(IdempotencyKey.lifetime))
            var deleted = 0
            while !stopped.isSet {
                let started = DispatchTime.now().uptimeNanoseconds
                let batch = try session.query(Self.deleteBatch, parameters).affectedRows
                deleted += batch
                guard batch == Self.batchSize else { break }
                let took = DispatchTime.now().uptimeNanoseconds - started
                Thread.sleep(forTimeInterval: Double(took) * Self.restPerBatchTime / 1e9)
            }
            // The session's end releases the lock.
            return deleted
        }
    }
}
