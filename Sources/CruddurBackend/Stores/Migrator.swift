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

    public let directory: String
    static let lockKey: Int64 = 4_567_001

    public init(directory: String) {
        self.directory = directory
    }

    /// Where migrations are looked for: `MIGRATIONS_DIR`, else `db/migrations` below the working directory.
    public static func defaultDirectory(environment: [String: String]) -> String {
        environment["MIGRATIONS_DIR"] ?? "db/migrations"
    }

    /// The migration files, in version order.
    public func migrations() throws -> [Migration] {
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
