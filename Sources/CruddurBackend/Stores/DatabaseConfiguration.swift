import Foundation

/// How to reach PostgreSQL, from the environment. `CONNECTION_URL` unset means the embedded store.
///
/// | Variable | Meaning | Default |
/// |---|---|---|
/// | `CONNECTION_URL` | `postgresql://user:password@host:port/database` (secret: never logged) | unset |
/// | `DB_POOL_SIZE` | connections kept by the pool | 8 |
/// | `DB_MIGRATE_ON_START` | apply pending migrations when the server starts | `false` |
/// | `DB_TLS` | `disable`, `prefer` or `require` | `disable` |
public struct DatabaseConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    /// Secret.
    public var password: String?
    public var database: String
    public var poolSize: Int
    public var migrateOnStart: Bool
    public var tls: String

    public init?(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        guard let url = reader.string("CONNECTION_URL") else { return nil }
        let problem = ConfigurationError(
            variable: "CONNECTION_URL", problem: "must look like postgresql://user:password@host:5432/database")
        guard let components = URLComponents(string: url),
            components.scheme == "postgresql" || components.scheme == "postgres",
            let host = components.host, !host.isEmpty
        else { throw problem }
        self.host = host
        port = components.port ?? 5432
        username = components.user?.removingPercentEncoding ?? "postgres"
        password = components.password?.removingPercentEncoding
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        database = path.isEmpty ? username : path
        poolSize = try reader.int("DB_POOL_SIZE", default: 8, in: 1...200)
        migrateOnStart = reader.string("DB_MIGRATE_ON_START")?.lowercased() == "true"
        tls = reader.string("DB_TLS")?.lowercased() ?? "disable"
        guard ["disable", "prefer", "require"].contains(tls) else {
            throw ConfigurationError(variable: "DB_TLS", problem: "must be disable, prefer or require")
        }
    }
}
