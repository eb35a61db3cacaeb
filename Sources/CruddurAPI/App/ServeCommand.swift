import Foundation
import Instrumentation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `cruddur serve`: runs the application until SIGTERM or SIGINT, then shuts down in bounded steps.
///
/// On SIGTERM readiness turns 503 at once while the server keeps answering for `DRAIN_SECONDS`, so the
/// edge's health checks move traffic to other replicas; then the listener closes, requests in flight
/// finish, background services stop, and the process exits 0. SIGINT (Ctrl-C) skips the drain period.
/// Whatever is stuck, the process exits `SHUTDOWN_TIMEOUT_SECONDS` after the drain ends.
enum ServeCommand {
    static func run(configuration: AppConfiguration, logger: Logger) async throws {
        let lifecycle = ServerLifecycle()
        var metrics: PrometheusCollectorRegistry?
        if configuration.metricsEnabled {
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            metrics = registry
        }
        let exporter = try configuration.traceExport.bootstrap(logger: logger)
        let app = try await buildApplication(
            configuration: configuration, logger: logger, lifecycle: lifecycle, metrics: metrics)
        // Services stop in reverse order: the server first, then the span exporter sends the spans it holds.
        let group = ServiceGroup(
            configuration: .init(
                services: [exporter, app].compactMap { $0 }, gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                    await shutDown(
                        after: signal, group: group, lifecycle: lifecycle, configuration: configuration,
                        logger: logger)
                    return
                }
            }
            // The group ends when its graceful shutdown has run to the end (the signal task only starts it);
            // cancelling it when the signal task returned cut the shutdown short.
            try await group.run()
            tasks.cancelAll()
        }
    }

    static func shutDown(
        after signal: UnixSignal, group: ServiceGroup, lifecycle: ServerLifecycle, configuration: AppConfiguration,
        logger: Logger
    ) async {
        lifecycle.beginDraining()
        let drain = signal == .sigterm ? configuration.drainSeconds : 0
        logger.notice("\(signal): draining, then shutting down", metadata: ["drain_seconds": "\(drain)"])
        try? await Task.sleep(for: .seconds(drain))
        // A request or a connection wedged past every deadline must not hold the process forever.
        let timeout = configuration.shutdownTimeoutSeconds
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: Double(timeout))
            logger.error("Shutdown did not finish within \(timeout) s; exiting anyway")
            LogOutput.standard.flush()
            exit(0)
        }
        await group.triggerGracefulShutdown()
    }
}
