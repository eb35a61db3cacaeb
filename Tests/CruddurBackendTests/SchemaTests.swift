import Foundation
import Logging
import PostgresNIO
import Testing

@testable import CruddurStore

@Suite("Migrations and db/schema.sql", .serialized, .enabled(if: PostgresTestDatabase.enabled))
struct SchemaTests {
    let logger = PostgresTestDatabase.logger

    /// Every column, constraint and index of the public schema, as text, sorted.
    func describe(_ configuration: DatabaseConfiguration) async throws -> [String] {
        try await PostgresDatabase.withConnection(configuration, logger: logger) { connection in
            var lines: [String] = []
            let columns = try await connection.query(
                """
                SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                       || coalesce(column_default, '')
                FROM information_schema.columns WHERE table_schema = 'public'
                """, logger: logger)
            for try await line in columns.decode(String.self) { lines.append(line) }
            let constraints = try await connection.query(
                """
                SELECT conrelid::regclass::text || ' ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                """, logger: logger)
            for try await line in constraints.decode(String.self) { lines.append(line) }
            let indexes = try await connection.query(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'", logger: logger)
            for try await line in indexes.decode(String.self) { lines.append(line) }
            let extensions = try await connection.query(
                "SELECT 'extension ' || extname FROM pg_extension", logger: logger)
            for try await line in extensions.decode(String.self) { lines.append(line) }
            return lines.sorted()
        }
    }

    @Test func migrationsApplyOnceAndMatchSchemaSQL() async throws {
        let migrated = try await PostgresTestDatabase.fresh()
        let before = try await describe(migrated)
        let migrator = Migrator(directory: Repository.path("db/migrations"))
        let again = try await PostgresDatabase.withConnection(migrated, logger: logger) { connection in
            try await migrator.migrate(on: connection, logger: logger)
        }
        #expect(again.isEmpty)
        #expect(try await describe(migrated) == before)
        #expect(before.contains { $0.contains("users_handle_lower_key") })

        var fromSchema = try PostgresTestDatabase.adminConfiguration()
        fromSchema.database = "cruddur_schema_\(UUID().uuidString.prefix(8).lowercased())"
        let name = fromSchema.database
        let admin = try PostgresTestDatabase.adminConfiguration()
        try await PostgresDatabase.withConnection(admin, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let schema = try String(contentsOfFile: Repository.path("db/schema.sql"), encoding: .utf8)
        try await PostgresDatabase.withConnection(fromSchema, logger: logger) { connection in
            for statement in SQLScript.statements(schema) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
        #expect(try await describe(fromSchema) == before)
    }

    @Test func migrationsOnAnEmptyDatabaseRecordEachVersion() async throws {
        let admin = try PostgresTestDatabase.adminConfiguration()
        var empty = admin
        empty.database = "cruddur_empty_\(UUID().uuidString.prefix(8).lowercased())"
        let name = empty.database
        try await PostgresDatabase.withConnection(admin, logger: logger) { connection in
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let migrator = Migrator(directory: Repository.path("db/migrations"))
        let applied = try await PostgresDatabase.withConnection(empty, logger: logger) { connection in
            try await migrator.migrate(on: connection, logger: logger)
        }
        #expect(applied == (try migrator.migrations().map(\.version)))
        #expect(applied.first == "0001_users_and_activities")
    }
}

@Suite("Splitting migration scripts")
struct SQLScriptTests {
    @Test func semicolonsInsideQuotesCommentsAndDollarQuotesDoNotSplit() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE t (x text DEFAULT 'a;b');
            /* block; comment */ CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
            SELECT "odd;name" FROM t
            """
        #expect(
            SQLScript.statements(script) == [
                "CREATE TABLE t (x text DEFAULT 'a;b')",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "SELECT \"odd;name\" FROM t",
            ])
    }
}
