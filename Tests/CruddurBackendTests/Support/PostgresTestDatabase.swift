import CruddurStore
import Foundation
import Logging
import PostgresDriver
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
        try await PostgresDatabase.withSession(admin, logger: logger) { session in
            try session.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
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
            try await PostgresDatabase.withSession(configuration, logger: logger) { session in
                try Seeder(seed: seed).load(on: session, now: now)
            }
        }
        let database = PostgresDatabase(configuration: configuration, logger: logger, queryTimeout: queryTimeout)
        do {
            let result = try await body(CruddurPostgresStore(database: database), configuration)
            await database.pool.close()
            return result
        } catch {
            await database.pool.close()
            throw error
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
        try await PostgresDatabase.withSession(admin, logger: logger) { session in
            try session.execute("DROP DATABASE IF EXISTS \(template) WITH (FORCE)")
            try session.execute("CREATE DATABASE \(template)")
        }
        var configuration = admin
        configuration.database = template
        try await PostgresDatabase.withSession(configuration, logger: logger) { session in
            try Migrator(directory: Repository.path("db/migrations")).migrate(on: session, logger: logger)
        }
    }
}

/// Paths inside the repository.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
