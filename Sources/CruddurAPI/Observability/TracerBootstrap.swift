import CruddurRuntime
import Instrumentation
import Logging
import OTel
import ServiceLifecycle

extension TraceExport {
    /// Bootstraps the process's tracer for this export. Returns the service that batches and sends spans
    /// (OTLP), which must run beside the server and stop after it, so the last requests' spans are flushed.
    ///
    /// OTLP goes through swift-otel's tracer with its batch span processor and OTLP/HTTP exporter (protobuf);
    /// the standard `OTEL_*` variables (endpoint, headers, timeout, service name, sampler, batch delay) apply.
    /// Only the tracer: metrics stay with Prometheus and logs with the log handler.
    func bootstrap(logger: Logger) throws -> (any Service)? {
        switch self {
        case .none:
            return nil
        case .log:
            InstrumentationSystem.bootstrap(LogTracer(logger: logger))
            return nil
        case .otlp:
            var configuration = OTel.Configuration.default
            configuration.serviceName = "cruddur-backend"
            configuration.diagnosticLogger = .custom(logger)
            configuration.metrics.enabled = false
            configuration.logs.enabled = false
            configuration.traces.otlpExporter.protocol = .httpProtobuf
            do {
                let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
                InstrumentationSystem.bootstrap(tracer)
                return service
            } catch {
                throw ConfigurationError(variable: "OTEL_*", problem: "\(error)")
            }
        }
    }
}
