import CruddurAuth
import CruddurRuntime
import CruddurStore
import Logging

/// The server's own settings (``Settings``: the environment, then secret files).
///
/// | Variable | Type | Default |
/// |---|---|---|
/// | `HOST` | address to bind | `127.0.0.1` |
/// | `PORT` | 1–65535 | `4567` |
/// | `FRONTEND_URL`, `BACKEND_URL` | comma-separated origins allowed by CORS | none |
/// | `LOG_LEVEL` | trace, debug, info, notice, warning, error, critical (`warning` silences the access log) | `info` |
/// | `LOG_FORMAT` | `text` (for a terminal) or `json` (one object per line) | `text` |
/// | `METRICS` | `on`: Prometheus metrics at `GET /metrics`; `off` | `on` |
/// | `MAX_BODY_BYTES` | request body cap, 1 KiB–10 MiB | 65536 |
/// | `SEED_FILE` | demo data for the embedded store and `cruddur seed` | the seed built into the binary |
/// | `MIGRATIONS_DIR` | SQL migrations for `cruddur migrate` | the migrations built into the binary |
/// | `FEED_CACHE_MS` | how long a home feed page is reused (PostgreSQL only; 0 turns it off) | 1000 |
/// | `DRAIN_SECONDS` | after SIGTERM, how long readiness says 503 while requests are still served | 5 |
/// | `SHUTDOWN_TIMEOUT_SECONDS` | after the drain, how long shutdown may take before the process exits anyway | 10 |
/// | `WRITE_RATE_PER_MINUTE` | writes (`POST`s) a caller may make per minute, bursts included; 0 turns it off | 30 |
/// | `OTEL_TRACES_EXPORTER` | `otlp`: spans to an OTLP/HTTP collector (`OTEL_EXPORTER_OTLP_ENDPOINT`, the other `OTEL_*` variables as the OpenTelemetry spec says); `none` | `otlp` when an OTLP endpoint is set, else spans go to the log at `debug` |
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var allowedOrigins: [String]
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    public var metricsEnabled: Bool
    /// Where spans go, if anywhere.
    public var traceExport: TraceExport
    /// Whether `cruddur serve` bootstraps a tracer, so the router adds a span per request.
    public var tracing: Bool { traceExport != .none }
    public var bodyDecoder: JSONBodyDecoder
    public var seed: SeedData
    public var migrationsDirectory: String?
    public var feedCacheMilliseconds: Int
    public var drainSeconds: Int
    public var shutdownTimeoutSeconds: Int
    public var writeRatePerMinute: Int
    public var cognito: CognitoConfiguration
    public var database: DatabaseConfiguration?

    public init(_ reader: Settings) throws {
        host = reader.string("HOST") ?? "127.0.0.1"
        port = try reader.int("PORT", default: 4567, in: 1...65535)
        allowedOrigins = reader.list("FRONTEND_URL") + reader.list("BACKEND_URL")
        for origin in allowedOrigins where CORSPolicyMiddleware<AppRequestContext>.normalized(origin) == nil {
            throw ConfigurationError(
                variable: "FRONTEND_URL/BACKEND_URL",
                problem: "must list origins like https://app.example.com, not \"\(origin.prefix(60))\"")
        }
        let level = reader.string("LOG_LEVEL")?.lowercased() ?? "info"
        guard let logLevel = Logger.Level(rawValue: level) else {
            throw ConfigurationError(
                variable: "LOG_LEVEL", problem: "must be one of trace, debug, info, notice, warning, error, critical")
        }
        self.logLevel = logLevel
        guard let format = LogFormat(rawValue: reader.string("LOG_FORMAT")?.lowercased() ?? "text") else {
            throw ConfigurationError(variable: "LOG_FORMAT", problem: "must be text or json")
        }
        logFormat = format
        switch reader.string("METRICS")?.lowercased() ?? "on" {
        case "on", "true": metricsEnabled = true
        case "off", "false": metricsEnabled = false
        default: throw ConfigurationError(variable: "METRICS", problem: "must be on or off")
        }
        bodyDecoder = JSONBodyDecoder(
            bytes: try reader.int("MAX_BODY_BYTES", default: JSONBodyDecoder.defaultBytes, in: 1024...10_485_760))
        seed = try SeedData.configured(reader)
        migrationsDirectory = try Migrator.directory(reader)
        feedCacheMilliseconds = try reader.int("FEED_CACHE_MS", default: 1000, in: 0...60_000)
        drainSeconds = try reader.int("DRAIN_SECONDS", default: 5, in: 0...300)
        shutdownTimeoutSeconds = try reader.int("SHUTDOWN_TIMEOUT_SECONDS", default: 10, in: 1...600)
        writeRatePerMinute = try reader.int("WRITE_RATE_PER_MINUTE", default: 30, in: 0...1_000_000)
        cognito = try CognitoConfiguration(reader)
        database = try DatabaseConfiguration(reader)
        traceExport = try TraceExport(reader, logLevel: logLevel)
    }
}

/// Where finished spans go: nowhere, the log (at `debug`, ``LogTracer``) or an OpenTelemetry collector over
/// OTLP/HTTP (swift-otel).
public enum TraceExport: Sendable, Equatable {
    case none
    case log
    case otlp

    init(_ reader: Settings, logLevel: Logger.Level) throws {
        let endpoint =
            reader.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ?? reader.string("OTEL_EXPORTER_OTLP_ENDPOINT")
        switch reader.string("OTEL_TRACES_EXPORTER")?.lowercased() {
        case "otlp": self = .otlp
        case "none": self = .none
        case nil: self = endpoint != nil ? .otlp : logLevel <= .debug ? .log : .none
        default: throw ConfigurationError(variable: "OTEL_TRACES_EXPORTER", problem: "must be otlp or none")
        }
    }
}

/// How log lines are written.
public enum LogFormat: String, Sendable {
    case text
    case json
}
