import CruddurRuntime
import Foundation
import PostgresDriver

/// How to reach PostgreSQL, from the environment. `CONNECTION_URL` unset means the embedded store.
///
/// | Variable | Meaning | Default |
/// |---|---|---|
/// | `CONNECTION_URL` | any libpq URL: `postgresql://user:password@host:port,host2:port/database[?sslmode=…&sslrootcert=…]` (secret: never logged) | unset |
/// | `DB_POOL_SIZE` | pipelined connections kept by the pool | 2 |
/// | `DB_MIGRATE_ON_START` | apply pending migrations when the server starts | `false` |
/// | `DB_TLS` | `disable`, `prefer`, `require`, `verify-ca` or `verify-full` (libpq's `sslmode` meanings) | `sslmode`, else `disable` |
/// | `DB_TLS_CA_FILE` | PEM file of the CA that signs the server's certificate (RDS publishes one) | `sslrootcert`, else the system's |
///
/// One TLS setting serves every connection the process opens: the pool, the start-up probe, the outage
/// probe, `cruddur migrate` and `cruddur seed`.
public struct DatabaseConfiguration: Sendable {
    /// libpq's `sslmode` values that the server honours (`allow` is not one: it would fall back to plain text).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// The URL as given, any libpq URL: several hosts, `target_session_attrs`, … Secret: it may hold the password.
    public let url: String
    /// The first host and its port, for messages and the tests' loopback check.
    public let host: String
    public let port: Int
    /// The database connected to; the tests point one configuration at fresh databases by changing it.
    public var database: String
    public var poolSize: Int
    public var migrateOnStart: Bool
    public var tls: TLSMode
    public var caFile: String?

    public init?(environment: [String: String]) throws {
        let reader = EnvironmentReader(environment)
        guard let url = reader.string("CONNECTION_URL") else { return nil }
        let problem = ConfigurationError(
            variable: "CONNECTION_URL", problem: "must look like postgresql://user:password@host:5432/database")
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://"),
            let parsed = try? PostgresConnectionOptions(url: url)
        else { throw problem }
        let settings = parsed.settings
        guard let hosts = settings["host"] ?? settings["hostaddr"], let first = hosts.split(separator: ",").first
        else { throw problem }
        self.url = url
        host = String(first)
        port = (settings["port"]?.split(separator: ",").first).flatMap { Int($0) } ?? 5432
        database = settings["dbname"] ?? settings["user"] ?? "postgres"
        poolSize = try reader.int("DB_POOL_SIZE", default: 2, in: 1...200)
        migrateOnStart = reader.string("DB_MIGRATE_ON_START")?.lowercased() == "true"
        (tls, caFile) = try Self.tls(
            setting: reader.string("DB_TLS"), sslmode: settings["sslmode"], caFile: reader.string("DB_TLS_CA_FILE"),
            sslrootcert: settings["sslrootcert"])
    }

    /// What libpq connects with: the URL, then this configuration's database and TLS settings, which win.
    /// Without a CA file, `verify-ca` and `verify-full` trust the system's roots (libpq's own default is
    /// `~/.postgresql/root.crt`).
    public var options: PostgresConnectionOptions {
        // The URL was read by libpq in init, so this cannot fail.
        var options = try! PostgresConnectionOptions(url: url)
        // TCP keepalives, unless the URL sets its own: an idle connection (the cache's LISTEN) to a server that
        // vanished without a FIN is noticed within a minute and a half instead of hours.
        let url = options.settings
        for (key, value) in [("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "6")]
        where url[key] == nil {
            options = options.with(key, value)
        }
        options = options.with("dbname", database).with("sslmode", tls.rawValue).with("application_name", "cruddur")
        if let caFile {
            options = options.with("sslrootcert", caFile)
        } else if tls == .verifyCA || tls == .verifyFull {
            options = options.with("sslrootcert", "/etc/ssl/certs/ca-certificates.crt")
        }
        return options
    }

    /// `host:port/database` of every host, for messages: never the password.
    public var target: String { options.description }

    static func tls(setting: String?, sslmode: String?, caFile: String?, sslrootcert: String?) throws -> (
        TLSMode, String?
    ) {
        let modes = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
        guard let mode = TLSMode(rawValue: (setting ?? sslmode ?? "disable").lowercased()) else {
            let variable = setting == nil ? "CONNECTION_URL" : "DB_TLS"
            throw ConfigurationError(variable: variable, problem: "sslmode must be one of \(modes)")
        }
        if let setting, let sslmode, setting.lowercased() != sslmode.lowercased() {
            throw ConfigurationError(
                variable: "DB_TLS", problem: "says \(setting) but CONNECTION_URL's sslmode says \(sslmode); say one")
        }
        let file = caFile ?? sslrootcert
        if let file, !FileManager.default.isReadableFile(atPath: file) {
            throw ConfigurationError(variable: "DB_TLS_CA_FILE", problem: "names a file that cannot be read: \(file)")
        }
        return (mode, file)
    }
}
