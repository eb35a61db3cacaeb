import CruddurRuntime
import CruddurStore
import Logging

/// `cruddur migrate` and `cruddur seed`, against `CONNECTION_URL`.
enum DatabaseCommands {
    static func run(_ command: String, configuration: AppConfiguration, logger: Logger) async throws {
        guard let database = configuration.database else {
            throw ConfigurationError(variable: "CONNECTION_URL", problem: "must be set for `cruddur \(command)`")
        }
        switch command {
        case "migrate":
            let migrator = Migrator(directory: configuration.migrationsDirectory)
            let applied = try await PostgresDatabase.withSession(database, logger: logger) { session in
                try migrator.migrate(on: session, logger: logger)
            }
            print(applied.isEmpty ? "migrate: up to date" : "migrate: applied \(applied.joined(separator: ", "))")
        default:
            let seeder = Seeder(seed: configuration.seed)
            let (users, activities) = try await PostgresDatabase.withSession(database, logger: logger) { session in
                try seeder.load(on: session)
            }
            print("seed: \(users) new users, \(activities) new activities")
        }
    }
}
