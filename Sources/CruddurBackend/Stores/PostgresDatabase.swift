import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Connecting to PostgreSQL: the pooled client, a fail-fast probe for start-up, and a bound on how long
/// any store call may wait, so an outage answers 503 quickly instead of hanging.
public struct PostgresDatabase: Sendable {
    public let client: PostgresClient
    public let configuration: DatabaseConfiguration
    /// The longest a store call may take before it is answered as "database unavailable".
    public let queryTimeout: Duration

    public init(configuration: DatabaseConfiguration, logger: Logger, queryTimeout: Duration = .seconds(3)) {
        var clientConfiguration = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database, tls: Self.tls(configuration))
        clientConfiguration.options.maximumConnections = configuration.poolSize
        clientConfiguration.options.minimumConnections = min(2, configuration.poolSize)
        clientConfiguration.options.connectTimeout = .seconds(3)
        self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.configuration = configuration
        self.queryTimeout = queryTimeout
    }

    static func tls(_ configuration: DatabaseConfiguration) -> PostgresClient.Configuration.TLS {
        switch configuration.tls {
        case "require": .require(.makeClientConfiguration())
        case "prefer": .prefer(.makeClientConfiguration())
        default: .disable
        }
    }

    /// Opens one connection and runs `SELECT 1`, within `timeout`, so that a wrong password or an
    /// unreachable host stops start-up with a clear message (the pool itself would retry forever).
    public static func probe(_ configuration: DatabaseConfiguration, logger: Logger, timeout: Duration = .seconds(5))
        async throws
    {
        try await withConnection(configuration, logger: logger, connectTimeout: timeout) { connection in
            try await connection.query("SELECT 1", logger: logger)
        }
    }

    /// Runs `body` on one dedicated connection (for start-up checks, migrations and seeding), failing
    /// with a ``DatabaseStartupError`` that says why when the database cannot be reached in time.
    public static func withConnection<T: Sendable>(
        _ configuration: DatabaseConfiguration, logger: Logger, connectTimeout: Duration = .seconds(5),
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connectionConfiguration = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database,
            tls: configuration.tls == "disable"
                ? .disable : .prefer(try .init(configuration: .makeClientConfiguration())))
        let target = "\(configuration.host):\(configuration.port)/\(configuration.database)"
        let connection: PostgresConnection
        do {
            connection = try await withDeadline(connectTimeout) {
                try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
            }
        } catch let error as PSQLError {
            if let reason = error.serverInfo?[.message] {
                throw DatabaseStartupError(message: "PostgreSQL at \(target) refused the connection: \(reason)")
            }
            let reason = error.underlying.map { "\($0)" } ?? "\(error.code)"
            throw DatabaseStartupError(message: "PostgreSQL at \(target) could not be reached: \(reason)")
        } catch is DeadlineExceeded {
            throw DatabaseStartupError(message: "PostgreSQL at \(target) did not answer within \(connectTimeout)")
        } catch {
            throw DatabaseStartupError(message: "PostgreSQL at \(target) could not be reached: \(error)")
        }
        do {
            let result = try await body(connection)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `operation` against the database, answering ``StoreUnavailableError`` when it takes longer than
    /// ``queryTimeout`` or the database cannot be reached.
    public func run<T: Sendable>(_ operation: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T
    {
        let client = self.client
        do {
            return try await withDeadline(queryTimeout) { try await operation(client) }
        } catch is DeadlineExceeded {
            throw StoreUnavailableError(reason: "no answer within \(queryTimeout)")
        } catch let error as PSQLError where Self.isUnavailability(error) {
            throw StoreUnavailableError(reason: "\(error.code)")
        }
    }

    /// Connection-level failures and the server's own "cannot serve now" states, as opposed to errors
    /// in a statement, which are bugs.
    static func isUnavailability(_ error: PSQLError) -> Bool {
        guard error.code == .server else { return true }
        let state = error.serverInfo?[.sqlState] ?? ""
        return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
    }
}

/// Why the server could not start on PostgreSQL; its message is printed as is.
public struct DatabaseStartupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

struct DeadlineExceeded: Error {}

/// Runs `operation`, cancelling it and throwing ``DeadlineExceeded`` after `timeout`.
func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T)
    async throws -> T
{
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard case .some(.some(let value)) = try await group.next() else { throw DeadlineExceeded() }
        return value
    }
}
