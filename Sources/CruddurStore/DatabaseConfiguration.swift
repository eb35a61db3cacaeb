import CruddurRuntime
import Foundation
import PostgresDriver

/// How to reach PostgreSQL, from the settings. `CONNECTION_URL` unset means the embedded store.
///
/// | Variable | Meaning | Default |
/// |---|---|---|
/// | `CONNECTION_URL` | any libpq URL: `postgresql://user:password@host:port,host2:port/database[?sslmode=…&sslrootcert=…]` (secret: never logged) | unset |
/// | `DB_POOL_SIZE` | pipelined connections kept by the pool | 2 |
/// | `DB_MIGRATE_ON_START` | apply pending migrations when the server starts | `false` |
/// | `DB_TLS` | `disable`, `prefer`, `require`, `verify-ca` or `verify-full` (libpq's `sslmode` meanings) | `sslmode`, else `disable` |
/// | `DB_TLS_CA_FILE` | PEM file of the CA that signs the server's certificate (RDS publishes one) | `sslrootcert`, else the system's |
/// | `READ_CONNECTION_URL` | libpq URL of the standbys that serve anonymous reads (each host is measured and used on its own; secret) | unset: reads on `CONNECTION_URL` |
/// | `REPLICA_MAX_LAG_MS` | a standby further behind the primary than this gets no reads until it catches up | 500 |
/// | `REPLICA_PROBE_MS` | how often each standby's replay position is measured | 200 |
/// | `EXPIRY_PURGE_SECONDS` | how often expired cruds are deleted (one replica at a time); 0 turns it off | 60 |
/// | `EXPIRY_GRACE_SECONDS` | how long after expiring a crud is deleted | 600 |
///
/// One TLS setting serves every connection the process opens: the pool, the standbys, the start-up probe,
/// the outage probe, `cruddur migrate` and `cruddur seed`. Writes go to the server that accepts them:
/// `target_session_attrs=read-write` unless the URL says otherwise, so a URL listing the primary and its
/// standbys follows a promotion on its own.
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
    /// `READ_CONNECTION_URL` as given: the standbys for reads, or `nil`. Secret, as ``url``.
    public var readURL: String?
    public var replicaMaxLag: Duration
    public var replicaProbeInterval: Duration
    /// How often the expired-crud purge runs (`nil`: never), and how long after expiring a crud is deleted.
    public var expiryPurgeInterval: Duration?
    public var expiryGrace: Duration

    public init?(_ reader: Settings) throws {
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
        if let readURL = reader.string("READ_CONNECTION_URL") {
            guard readURL.hasPrefix("postgresql://") || readURL.hasPrefix("postgres://"),
                let read = try? PostgresConnectionOptions(url: readURL), read.settings["host"] != nil
            else {
                throw ConfigurationError(
                    variable: "READ_CONNECTION_URL",
                    problem: "must look like postgresql://user:password@standby-1:5432,standby-2:5432/database")
            }
            self.readURL = readURL
        }
        replicaMaxLag = .milliseconds(try reader.int("REPLICA_MAX_LAG_MS", default: 500, in: 1...3_600_000))
        replicaProbeInterval = .milliseconds(try reader.int("REPLICA_PROBE_MS", default: 200, in: 10...60_000))
        let purge = try reader.int("EXPIRY_PURGE_SECONDS", default: 60, in: 0...86_400)
        expiryPurgeInterval = purge == 0 ? nil : .seconds(purge)
        expiryGrace = .seconds(try reader.int("EXPIRY_GRACE_SECONDS", default: 600, in: 0...30 * 86_400))
    }

    /// What libpq connects with: the URL, then this configuration's database and TLS settings, which win.
    /// Without a CA file, `verify-ca` and `verify-full` trust the system's roots (libpq's own default is
    /// `~/.postgresql/root.crt`).
    public var options: PostgresConnectionOptions {
        var options = Self.options(url: url, database: database, tls: tls, caFile: caFile)
        if options.settings["target_session_attrs"] == nil {
            options = options.with("target_session_attrs", "read-write")
        }
        return options
    }

    /// One set of options per host of `READ_CONNECTION_URL` (each standby is measured and chosen on its
    /// own), with this configuration's TLS settings and, unless the URL names one, its database.
    public var standbyOptions: [PostgresConnectionOptions] {
        guard let readURL, let given = try? PostgresConnectionOptions(url: readURL) else { return [] }
        let url = Self.options(url: readURL, database: given.settings["dbname"] ?? database, tls: tls, caFile: caFile)
        let hosts = (given.settings["host"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
        let ports = (given.settings["port"] ?? "").split(separator: ",", omittingEmptySubsequences: false)
        return hosts.indices.map { index in
            let port = ports.isEmpty ? "" : ports[min(index, ports.count - 1)]
            return url.with("host", String(hosts[index])).with("port", port.isEmpty ? "5432" : String(port))
        }
    }

    /// `url` with keepalives, `database`, the TLS settings and the application's name.
    static func options(url: String, database: String, tls: TLSMode, caFile: String?) -> PostgresConnectionOptions {
        // The URL was read by libpq in init, so this cannot fail.
        var options = try! PostgresConnectionOptions(url: url)
        // TCP keepalives, unless the URL sets its own: an idle connection (the cache's LISTEN) to a server that
        // vanished without a FIN is noticed within a minute and a half instead of hours.
        let url = options.settings
        for (key, value) in [("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "6")]
        where url[key] == nil {
            options = options.with(key, value)
        }
        options = options.with("dbname", database).with("sslmode", tls.rawValue)
        options = options.with("application_name", url["application_name"] ?? "cruddur")
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
