import Logging
import PostgresDriver
import ServiceLifecycle
import Synchronization

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
        let stopped = StopFlag()
        await withTaskCancellationOrGracefulShutdownHandler {
            while !stopped.isSet && !Task.isCancelled {
                do {
                    try await PostgresDatabase.withSession(configuration, logger: logger, connectTimeout: .seconds(3)) {
                        session in
                        try session.execute("LISTEN \(Self.channel)")
                        invalidate()
                        logger.debug("Listening for writes by other replicas")
                        // Woken every quarter second to see whether the server is stopping.
                        while !stopped.isSet {
                            if !(try session.notifications(timeout: .milliseconds(250))).isEmpty { invalidate() }
                        }
                    }
                } catch {
                    if stopped.isSet || Task.isCancelled { return }
                    logger.warning(
                        "Lost the database notification channel; reconnecting",
                        metadata: ["error": "\(String(describing: type(of: error)))"])
                }
                invalidate()
                try? await Task.sleep(for: .seconds(1))
            }
        } onCancelOrGracefulShutdown: {
            stopped.set()
        }
    }
}

/// Tells a session's thread that its service is stopping.
final class StopFlag: Sendable {
    private let flag = Atomic(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
