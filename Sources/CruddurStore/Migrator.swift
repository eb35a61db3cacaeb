import CruddurRuntime
import Foundation
import Logging
import PostgresDriver

/// Applies the ordered SQL files of `db/migrations` (`0001_name.sql`, …), each once, each in its own
/// transaction together with its row in `schema_migrations`. Concurrent migrators wait on an advisory lock.
/// A file is sent whole, as `psql -f` would, and PostgreSQL splits it into statements.
public struct Migrator: Sendable {
    /// One migration file.
    public struct Migration: Sendable, Equatable {
        public let version: String
        public let sql: String
    }

    /// Where the migration files are; `nil` for the ones built into the binary.
    public let directory: String?
    static let lockKey: Int64 = 4_567_001

    public init(directory: String?) {
        self.directory = directory
    }

    /// `MIGRATIONS_DIR` if set (it must be a readable directory), else `nil`: the embedded migrations.
    public static func directory(_ settings: Settings) throws -> String? {
        guard let directory = settings.string("MIGRATIONS_DIR") else { return nil }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw ConfigurationError(variable: "MIGRATIONS_DIR", problem: "names no directory: \(directory)") }
        return directory
    }

    /// The migrations, in version order.
    public func migrations() throws -> [Migration] {
        guard let directory else {
            return EmbeddedDatabaseFiles.migrations.map { Migration(version: $0.version, sql: $0.sql) }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".sql") && $0.first?.isNumber == true }
            .sorted()
        return try names.map { name in
            let sql = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
            return Migration(version: String(name.dropLast(4)), sql: sql)
        }
    }

    /// Applies the pending migrations on `session`; returns the versions applied.
    @discardableResult
    public func migrate(on session: PostgresSession, logger: Logger) throws -> [String] {
        let migrations = try migrations()
        try session.execute("SELECT pg_advisory_lock(\(Self.lockKey))")
        do {
            let applied = try apply(migrations, on: session, logger: logger)
            try session.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
            return applied
        } catch {
            try? session.execute("SELECT pg_advisory_unlock(\(Self.lockKey))")
            throw error
        }
    }

    func apply(_ migrations: [Migration], on session: PostgresSession, logger: Logger) throws -> [String] {
        try session.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let versions = try session.query("SELECT version FROM schema_migrations")
        let done = Set(try versions.rows.map { try $0.decode(String.self, column: 0) })
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.version) {
            var version = PostgresParameters()
            version.append(migration.version)
            try session.transaction {
                try session.execute(migration.sql)
                try session.query("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            }
            logger.info("Applied migration", metadata: ["version": "\(migration.version)"])
            applied.append(migration.version)
        }
        return applied
    }
}
