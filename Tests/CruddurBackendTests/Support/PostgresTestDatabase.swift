import CruddurStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// Databases for the PostgreSQL suites, on the server named by `TEST_DATABASE_URL` (bin/test starts a
/// throwaway one). Each test gets a fresh database cloned from a migrated template, which takes
/// milliseconds. Only a loopback server is accepted, so a test can never touch a real database.
enum PostgresTestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .error
        return logger
    }()

    /// Whether the PostgreSQL suites run: when a server is configured, or when bin/test requires them
    /// (then a missing server fails them instead of skipping them).
    static var enabled: Bool {
        ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] != nil
            || ProcessInfo.processInfo.environment["CRUDDUR_REQUIRE_POSTGRES"] == "1"
    }

    static func adminConfiguration() throws -> DatabaseConfiguration {
        let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"]
        let configuration = try #require(
            try DatabaseConfiguration(environment: ["CONNECTION_URL": url ?? ""]),
            "TEST_DATABASE_URL must name the test PostgreSQL server (bin/test starts one)")
        try #require(
            ["127.0.0.1", "localhost", "::1"].contains(configuration.host), "refusing a non-local test database")
        return configuration
    }

    static let template = "cruddur_test_template"
    static let templateReady = TemplateOnce()

    /// A new, migrated, empty database; its configuration.
    static func fresh() async throws -> DatabaseConfiguration {
        let admin = try adminConfiguration()
        try await templateReady.ensure(admin: admin)
        var configuration = admin
        configuration.database = "cruddur_test_\(UUID().uuidString.prefix(8).lowercased())"
        let name = configuration.database
        try await PostgresDatabase.withConnection(admin, logger: logger) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: logger)
        }
        return configuration
    }

    /// Runs `body` with a store over a fresh database, its pool running for the duration.
    static func withStore<T: Sendable>(
        seed: SeedData? = nil, now: Date = Date(), queryTimeout: Duration = .seconds(3),
        _ body: @escaping @Sendable (CruddurPostgresStore, DatabaseConfiguration) async throws -> T
    ) async throws -> T {
        let configuration = try await fresh()
        if let seed {
            try await PostgresDatabase.withConnection(configuration, logger: logger) { connection in
                try await Seeder(seed: seed).load(on: connection, now: now, logger: logger)
            }
        }
        let database = PostgresDatabase(configuration: configuration, logger: logger, queryTimeout: queryTimeout)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await database.client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(CruddurPostgresStore(database: database), configuration)
        }
    }
}

/// Builds the migrated template database once per test run, however many suites ask at once.
actor TemplateOnce {
    var building: Task<Void, any Error>?

    func ensure(admin: DatabaseConfiguration) async throws {
        if building == nil { building = Task { try await Self.build(admin: admin) } }
        try await building!.value
    }

    static func build(admin: DatabaseConfiguration) async throws {
        let logger = PostgresTestDatabase.logger
        let template = PostgresTestDatabase.template
        try await PostgresDatabase.withConnection(admin, logger: logger) { connection in
            try await connection.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(template) WITH (FORCE)"), logger: logger)
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(template)"), logger: logger)
        }
        var configuration = admin
        configuration.database = template
        try await PostgresDatabase.withConnection(configuration, logger: logger) { connection in
            try await Migrator(directory: Repository.path("db/migrations")).migrate(on: connection, logger: logger)
        }
    }
}

/// Paths inside the repository.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
