import CruddurRuntime
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import ServiceLifecycle
import Tracing

/// Connecting to PostgreSQL: the pooled client, a fail-fast probe for start-up, the outage breaker, and a
/// bound on how long any store call may wait, so an outage answers 503 quickly instead of hanging.
public struct PostgresDatabase: Sendable {
    public let client: PostgresClient
    public let configuration: DatabaseConfiguration
    /// The longest a store call may take before it is answered as "database unavailable".
    public let queryTimeout: Duration
    public let availability: DatabaseAvailability

    public init(configuration: DatabaseConfiguration, logger: Logger, queryTimeout: Duration = .seconds(3)) {
        var clientConfiguration = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username,
            password: configuration.password, database: configuration.database,
            tls: configuration.tlsConfiguration().map { configuration.tls == .prefer ? .prefer($0) : .require($0) }
                ?? .disable)
        clientConfiguration.options.maximumConnections = configuration.poolSize
        clientConfiguration.options.minimumConnections = min(2, configuration.poolSize)
        clientConfiguration.options.connectTimeout = .seconds(3)
        self.client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.configuration = configuration
        self.queryTimeout = queryTimeout
        self.availability = DatabaseAvailability()
    }

    /// The background services the database needs: the pool and the outage probe.
    public func services(logger: Logger) -> [any Service] {
        let configuration = configuration
        let probe = DatabaseAvailabilityProbe(availability: availability, logger: logger) {
            (try? await Self.probe(configuration, logger: logger, timeout: .milliseconds(500))) != nil
        }
        return [client, probe]
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

    /// Runs `body` on one dedicated connection (for start-up checks, migrations and seeding), with the same
    /// TLS setting as the pool, failing with a ``DatabaseStartupError`` that says why when the database
    /// cannot be reached in time.
    @discardableResult
    public static func withConnection<T: Sendable>(
        _ configuration: DatabaseConfiguration, logger: Logger, connectTimeout: Duration = .seconds(5),
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        let target = "\(configuration.host):\(configuration.port)/\(configuration.database)"
        let connection: PostgresConnection
        do {
            let tls: PostgresConnection.Configuration.TLS =
                switch (configuration.tls, configuration.tlsConfiguration()) {
                case (.prefer, let settings?): .prefer(try NIOSSLContext(configuration: settings))
                case (_, let settings?): .require(try NIOSSLContext(configuration: settings))
                case (_, nil): .disable
                }
            let connectionConfiguration = PostgresConnection.Configuration(
                host: configuration.host, port: configuration.port, username: configuration.username,
                password: configuration.password, database: configuration.database, tls: tls)
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

    /// Runs `operation` against the database. Answers ``StoreUnavailableError`` at once while the breaker
    /// is open, and when the call takes longer than ``queryTimeout`` or cannot reach the database (which
    /// starts a probe); ``StoreError/rejectedValue(_:)`` when PostgreSQL refuses a value (SQLSTATE classes
    /// 22 and 23): input that got past validation is the caller's error, not a 500.
    /// `statement` names the call in metrics (`cruddur_db_call_duration_seconds{statement=…}`).
    @discardableResult
    public func run<T: Sendable>(
        _ statement: String, _ operation: @escaping @Sendable (PostgresClient) async throws -> T
    ) async throws -> T {
        guard !availability.isDown else {
            CruddurMetrics.databaseCall(statement, nanoseconds: 0, failure: "breaker_open")
            throw StoreUnavailableError(reason: "the database is down", breakerOpen: true)
        }
        let client = self.client
        let started = ContinuousClock.now
        CruddurMetrics.databaseCallsInFlight(1)
        defer { CruddurMetrics.databaseCallsInFlight(-1) }
        func record(_ failure: String?) {
            let (seconds, attoseconds) = (ContinuousClock.now - started).components
            CruddurMetrics.databaseCall(
                statement, nanoseconds: seconds * 1_000_000_000 + attoseconds / 1_000_000_000, failure: failure)
        }
        do {
            let result = try await withSpan("db \(statement)", ofKind: .client) { span in
                span.attributes["db.system"] = "postgresql"
                return try await withDeadline(queryTimeout) { try await operation(client) }
            }
            record(nil)
            return result
        } catch is DeadlineExceeded {
            record("timeout")
            availability.reportFailure()
            throw StoreUnavailableError(reason: "no answer within \(queryTimeout)")
        } catch let error as PSQLError where Self.isUnavailability(error) {
            record("unavailable")
            availability.reportFailure()
            throw StoreUnavailableError(reason: "\(error.code)")
        } catch let error as PSQLError {
            let state = error.serverInfo?[.sqlState] ?? ""
            guard state.hasPrefix("22") || state.hasPrefix("23") else {
                record("error")
                throw error
            }
            record("rejected_value")
            throw StoreError.rejectedValue(sqlState: state)
        } catch {
            record("error")
            throw error
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
