import Logging
import ServiceLifecycle

/// Keeps the key set fresh in the background: fetches at start-up (without holding start-up up), then
/// every `interval`, retrying sooner while fetches fail. Stops on graceful shutdown.
public struct JWKSRefreshService: Service {
    let cache: JWKSCache
    let interval: Duration
    let retryInterval: Duration
    let logger: Logger

    public init(cache: JWKSCache, interval: Duration, retryInterval: Duration = .seconds(5), logger: Logger) {
        self.cache = cache
        self.interval = interval
        self.retryInterval = retryInterval
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await cache.refresh(force: true)
                if let error = cache.lastError {
                    logger.warning(
                        "JWKS refresh failed; cached keys stay in use",
                        metadata: ["error": "\(error)", "keys_cached": "\(cache.hasKeys)"])
                } else {
                    logger.debug("JWKS refreshed")
                }
                // Cancelled on graceful shutdown: the loop ends and the service returns, not throws, so the
                // process exits 0.
                try? await Task.sleep(for: cache.lastError == nil ? interval : retryInterval)
            }
        }
    }
}
