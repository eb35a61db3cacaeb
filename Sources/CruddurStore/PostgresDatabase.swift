import CruddurRuntime
import Foundation
import Logging
import PostgresDriver
import ServiceLifecycle
import Tracing

/// Connecting to PostgreSQL: the pipelined pool, a fail-fast probe for start-up, the outage breaker, and a
/// bound on how long any store call may wait, so an outage answers 503 quickly instead of hanging.
public struct PostgresDatabase: Sendable {
    public let pool: PostgresPool
    public let configuration: DatabaseConfiguration
    /// The longest a store call may take before it is answered as "database unavailable"; also how long a
    /// connection with statements in flight may stay silent before the pool closes it.
    public let queryTimeout: Duration
    public let availability: DatabaseAvailability

    public init(configuration: DatabaseConfiguration, logger: Logger, queryTimeout: Duration = .seconds(3)) {
        pool = PostgresPool(
            options: configuration.options, size: configuration.poolSize, stallTimeout: queryTimeout, logger: logger)
        self.configuration = configuration
        self.queryTimeout = queryTimeout
        self.availability = DatabaseAvailability()
    }

    /// The background services the database needs: the pool's shutdown and the outage probe.
    public func services(logger: Logger) -> [any Service] {
        let configuration = configuration
        let probe = DatabaseAvailabilityProbe(availability: availability, logger: logger) {
            (try? await Self.probe(configuration, logger: logger, timeout: .milliseconds(500))) != nil
        }
        return [PostgresPoolService(pool: pool), probe]
    }

    /// Opens one connection and runs `SELECT 1`, within `timeout`, so that a wrong password or an
    /// unreachable host stops start-up with a clear message (the pool itself would retry forever).
    public static func probe(_ configuration: DatabaseConfiguration, logger: Logger, timeout: Duration = .seconds(5))
        async throws
    {
        try await withSession(configuration, logger: logger, connectTimeout: timeout, callTimeout: timeout) { session in
            try session.query("SELECT 1")
        }
    }

    /// Runs `body` on one dedicated session (for start-up checks, migrations and seeding) on a thread of its
    /// own, with the same TLS setting as the pool, failing with a ``DatabaseStartupError`` that says why when
    /// the database cannot be reached in time.
    @discardableResult
    public static func withSession<T: Sendable>(
        _ configuration: DatabaseConfiguration, logger: Logger, connectTimeout: Duration = .seconds(5),
        callTimeout: Duration? = nil, _ body: @escaping @Sendable (PostgresSession) throws -> T
    ) async throws -> T {
        do {
            return try await PostgresSession.with(
                configuration.options, connectTimeout: connectTimeout, callTimeout: callTimeout, logger: logger, body)
        } catch let error as PostgresError where error.kind == .connect {
            throw DatabaseStartupError(
                message: "PostgreSQL at \(configuration.target) could not be reached: \(error.message)")
        }
    }

    /// Runs `operation` against the database. Answers ``StoreUnavailableError`` at once while the breaker
    /// is open, and when the call takes longer than ``queryTimeout`` or cannot reach the database (which
    /// starts a probe); ``StoreError/rejectedValue(_:)`` when PostgreSQL refuses a value (SQLSTATE classes
    /// 22 and 23): input that got past validation is the caller's error, not a 500.
    /// `statement` names the call in metrics (`cruddur_db_call_duration_seconds{statement=…}`).
    @discardableResult
    public func run<T: Sendable>(
        _ statement: String, _ operation: @escaping @Sendable (BoundedPool) async throws -> T
    ) async throws -> T {
        guard !availability.isDown else {
            CruddurMetrics.databaseCall(statement, nanoseconds: 0, failure: "breaker_open")
            throw StoreUnavailableError(reason: "the database is down", breakerOpen: true)
        }
        // The bound is the driver's: each unit carries the call's deadline and its connection's thread answers
        // it then. A task and an event-loop timer per call (withDeadline) cost 9% of a one-row route's CPU (perf).
        let pool = self.pool.bounded(by: queryTimeout)
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
                return try await operation(pool)
            }
            record(nil)
            return result
        } catch let error as PostgresError where error.kind == .timeout {
            record("timeout")
            availability.reportFailure()
            throw StoreUnavailableError(reason: "no answer within \(queryTimeout)")
        } catch let error as PostgresError where error.isUnavailability {
            record("unavailable")
            availability.reportFailure()
            throw StoreUnavailableError(reason: error.message)
        } catch let error as PostgresError {
            let state = error.sqlState ?? ""
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
}

/// Closes the pool when the service group shuts down, after the HTTP server has stopped using it.
struct PostgresPoolService: Service {
    let pool: PostgresPool

    func run() async {
        try? await gracefulShutdown()
        await pool.close()
    }
}

/// Why the server could not start on PostgreSQL; its message is printed as is.
public struct DatabaseStartupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
