import Foundation
import Logging
import PostgresDriver
import Testing

@testable import CruddurStore

@Suite("Migrations and db/schema.sql", .serialized, .enabled(if: PostgresTestDatabase.enabled))
struct SchemaTests {
    let logger = PostgresTestDatabase.logger

    /// Every column, constraint and index of the public schema, as text, sorted.
    func describe(_ configuration: DatabaseConfiguration) async throws -> [String] {
        try await PostgresDatabase.withSession(configuration, logger: logger) { session in
            var lines: [String] = []
            for sql in [
                """
                SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                       || coalesce(column_default, '')
                FROM information_schema.columns WHERE table_schema = 'public'
                """,
                """
                SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                """,
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'",
                "SELECT 'extension ' || extname FROM pg_extension",
            ] {
                lines += try session.query(sql).rows.map { try $0.decode(String.self, column: 0) }
            }
            return lines.sorted()
        }
    }

    @Test func migrationsApplyOnceAndMatchSchemaSQL() async throws {
        let migrated = try await PostgresTestDatabase.fresh()
        let before = try await describe(migrated)
        let migrator = Migrator(directory: Repository.path("db/migrations"))
        let again = try await PostgresDatabase.withSession(migrated, logger: logger) { session in
            try migrator.migrate(on: session, logger: logger)
        }
        #expect(again.isEmpty)
        #expect(try await describe(migrated) == before)
        #expect(before.contains { $0.contains("users_handle_lower_key") })

        var fromSchema = try PostgresTestDatabase.adminConfiguration()
        fromSchema.database = "cruddur_schema_\(UUID().uuidString.prefix(8).lowercased())"
        let name = fromSchema.database
        let admin = try PostgresTestDatabase.adminConfiguration()
        try await PostgresDatabase.withSession(admin, logger: logger) { session in
            try session.execute("CREATE DATABASE \(name)")
        }
        let schema = try String(contentsOfFile: Repository.path("db/schema.sql"), encoding: .utf8)
        try await PostgresDatabase.withSession(fromSchema, logger: logger) { session in
            try session.execute(schema)
        }
        #expect(try await describe(fromSchema) == before)
    }

    @Test func migrationsOnAnEmptyDatabaseRecordEachVersion() async throws {
        let admin = try PostgresTestDatabase.adminConfiguration()
        var empty = admin
        empty.database = "cruddur_empty_\(UUID().uuidString.prefix(8).lowercased())"
        let name = empty.database
        try await PostgresDatabase.withSession(admin, logger: logger) { session in
            try session.execute("CREATE DATABASE \(name)")
        }
        let migrator = Migrator(directory: Repository.path("db/migrations"))
        let applied = try await PostgresDatabase.withSession(empty, logger: logger) { session in
            try migrator.migrate(on: session, logger: logger)
        }
        #expect(applied == (try migrator.migrations().map(\.version)))
        #expect(applied.first == "0001_users_and_activities")
    }
}
