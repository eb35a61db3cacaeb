import CruddurRuntime
import Foundation
import Logging
import PostgresNIO

/// Applies the ordered SQL files of `db/migrations` (`0001_name.sql`, …), each once, each in its own
/// transaction together with its row in `schema_migrations`. Concurrent migrators wait on an advisory lock.
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
    public static func directory(environment: [String: String]) throws -> String? {
        guard let directory = EnvironmentReader(environment).string("MIGRATIONS_DIR") else { return nil }
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

    /// Applies the pending migrations on `connection`; returns the versions applied.
    @discardableResult
    public func migrate(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let migrations = try migrations()
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
        do {
            let applied = try await apply(migrations, on: connection, logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
            throw error
        }
    }

    func apply(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version text PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var done = Set<String>()
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger)
            .decode(String.self)
        {
            done.insert(version)
        }
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.version) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in SQLScript.statements(migration.sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version) VALUES (\(migration.version))", logger: logger)
            }
            logger.info("Applied migration", metadata: ["version": "\(migration.version)"])
            applied.append(migration.version)
        }
        return applied
    }
}
