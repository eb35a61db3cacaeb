import CruddurRuntime
import Foundation
import NIOSSL

/// How to reach PostgreSQL, from the environment. `CONNECTION_URL` unset means the embedded store.
///
/// | Variable | Meaning | Default |
/// |---|---|---|
/// | `CONNECTION_URL` | `postgresql://user:password@host:port/database[?sslmode=…&sslrootcert=…]` (secret: never logged) | unset |
/// | `DB_POOL_SIZE` | connections kept by the pool | 8 |
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

    public var host: String
    public var port: Int
    public var username: String
    /// Secret.
    public var password: String?
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
        let query = components.queryItems ?? []
        let sslmode = query.last { $0.name == "sslmode" }?.value
        (tls, caFile) = try Self.tls(
            setting: reader.string("DB_TLS"), sslmode: sslmode, caFile: reader.string("DB_TLS_CA_FILE"),
            sslrootcert: query.last { $0.name == "sslrootcert" }?.value)
    }

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

    /// The TLS client settings for `tls`, or `nil` for `disable`.
    func tlsConfiguration() -> TLSConfiguration? {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tls {
        case .disable: return nil
        case .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let caFile { configuration.trustRoots = .file(caFile) }
        return configuration
    }
}
