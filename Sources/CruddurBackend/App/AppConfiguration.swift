import Logging

/// The server's own settings, read from the environment.
///
/// | Variable | Type | Default |
/// |---|---|---|
/// | `HOST` | address to bind | `127.0.0.1` |
/// | `PORT` | 1–65535 | `4567` |
/// | `FRONTEND_URL`, `BACKEND_URL` | comma-separated origins allowed by CORS | none |
/// | `LOG_LEVEL` | trace, debug, info, notice, warning, error, critical | `info` |
/// | `MAX_BODY_BYTES` | request body cap, 1 KiB–10 MiB | 65536 |
/// | `SEED_FILE` | demo data for the embedded store and `cruddur seed` | `db/seed.json` |
/// | `MIGRATIONS_DIR` | SQL migrations for `cruddur migrate` | `db/migrations` |
/// | `FEED_CACHE_MS` | how long a home feed page is reused (PostgreSQL only; 0 turns it off) | 1000 |
public struct AppConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var allowedOrigins: [String]
    public var logLevel: Logger.Level
    public var bodyLimit: BodyLimit
    public var seedFile: String
    public var migrationsDirectory: String
    public var feedCacheMilliseconds: Int
    public var cognito: CognitoConfiguration
    public var database: DatabaseConfiguration?

    public init(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
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
        bodyLimit = BodyLimit(
            bytes: try reader.int("MAX_BODY_BYTES", default: BodyLimit.defaultBytes, in: 1024...10_485_760))
        seedFile = SeedData.defaultPath(environment: environment)
        migrationsDirectory = Migrator.defaultDirectory(environment: environment)
        feedCacheMilliseconds = try reader.int("FEED_CACHE_MS", default: 1000, in: 0...60_000)
        cognito = try CognitoConfiguration(environment: environment)
        database = try DatabaseConfiguration(environment: environment)
    }
}
