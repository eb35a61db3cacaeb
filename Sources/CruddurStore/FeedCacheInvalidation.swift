import Logging
import PostgresNIO
import ServiceLifecycle

/// Listens on PostgreSQL's `cruddur_activities` channel (migration 0006 notifies it on every write to
/// activities) and drops this replica's home feed cache on each notification, so a crud posted through
/// another replica shows here at once rather than after `FEED_CACHE_MS`. On a lost connection it drops
/// the cache (notifications may have been missed) and reconnects every second.
package struct FeedCacheInvalidation: Service {
    static let channel = "cruddur_activities"

    let configuration: DatabaseConfiguration
    let invalidate: @Sendable () -> Void
    let logger: Logger

    package init(configuration: DatabaseConfiguration, invalidate: @escaping @Sendable () -> Void, logger: Logger) {
        self.configuration = configuration
        self.invalidate = invalidate
        self.logger = logger
    }

    package func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await PostgresDatabase.withConnection(configuration, logger: logger) { connection in
                        try await connection.listen(on: Self.channel) { notifications in
                            invalidate()
                            logger.debug("Listening for writes by other replicas")
                            for try await _ in notifications { invalidate() }
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning(
                        "Lost the database notification channel; reconnecting",
                        metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                invalidate()
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
