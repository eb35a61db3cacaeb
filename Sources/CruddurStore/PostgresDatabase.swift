import CruddurDomain
import CruddurRuntime
import Foundation
import Logging
import PostgresDriver
import ServiceLifecycle
import Tracing

/// Connecting to PostgreSQL: the pipelined pool, a fail-fast probe for start-up, the outage breaker, and a
/// bound on how long any store call may wait, so an outage answers 503 quickly instead of hanging; and the
/// standbys of `READ_CONNECTION_URL`, each with a pool of its own, that serve reads which may lag.
public struct PostgresDatabase: Sendable {
    public let pool: PostgresPool
    let standbys: ReadStandbys
    public let configuration: DatabaseConfiguration
    /// The longest a store call may take before it is answered as "database unavailable"; also how long a
    /// connection with statements in flight may stay silent before the pool closes it.
    public let queryTimeout: Duration
    public let availability: DatabaseAvailability

    public init(configuration: DatabaseConfiguration, logger: Logger, queryTimeout: Duration = .seconds(3)) {
        pool = PostgresPool(
            options: configuration.options, size: configuration.poolSize, stallTimeout: queryTimeout, logger: logger)
        standbys = ReadStandbys(
            configuration.standbyOptions.map {
                ReadStandby(options: $0, poolSize: configuration.poolSize, stallTimeout: queryTimeout, logger: logger)
            })
        self.configuration = configuration
        self.queryTimeout = queryTimeout
        self.availability = DatabaseAvailability()
    }

    /// The standbys that serve reads (none without `READ_CONNECTION_URL`).
    public var readStandbys: [ReadStandby] { standbys.all }

    /// The background services the database needs: the pools' shutdown, the outage probe, and with
    /// standbys their lag monitor.
    public func services(logger: Logger) -> [any Service] {
        let configuration = configuration
        let probe = DatabaseAvailabilityProbe(availability: availability, logger: logger) {
            (try? await Self.probe(configuration, logger: logger, timeout: .milliseconds(500))) != nil
        }
        var services: [any Service] = [PostgresPoolService(pools: [pool] + standbys.all.map(\.pool)), probe]
        if !standbys.all.isEmpty {
            services.append(
                StandbyMonitor(
                    primary: pool, standbys: standbys.all, interval: configuration.replicaProbeInterval,
                    maxLag: configuration.replicaMaxLag, logger: logger))
        }
        return services
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
        return try await call(statement, on: pool, primary: true, operation)
    }

    /// Runs a read that may see data up to `REPLICA_MAX_LAG_MS` old (`mayLag`: an anonymous caller's) on a
    /// serving standby, else as ``run(_:_:)`` does on the primary. A standby that cannot serve it (gone,
    /// shutting down, the read cancelled by a recovery conflict) is taken out of the turn and the read runs
    /// on the primary: a standby's loss never fails a request. Reads that may not lag always go to the primary,
    /// which is what makes every caller see their own writes, through any replica, at once.
    @discardableResult
    public func read<T: Sendable>(
        _ statement: String, mayLag: Bool, _ operation: @escaping @Sendable (BoundedPool) async throws -> T
    ) async throws -> T {
        // Without standbys, or for a read that may not lag, this is `run`: nothing counted on that hot path.
        guard mayLag, !standbys.all.isEmpty else { return try await run(statement, operation) }
        if let standby = standbys.pick() {
            do {
                let result = try await call(statement, on: standby.pool, primary: false, operation)
                CruddurMetrics.databaseRead(server: "standby")
                return result
            } catch let error as PostgresError where error.isUnavailability || error.sqlState == "40001" {
                standby.markUnreachable()
                // A standby silent past the deadline leaves no time to ask the primary.
                guard error.kind != .timeout else {
                    throw StoreUnavailableError(reason: "the standby gave no answer within \(queryTimeout)")
                }
                CruddurMetrics.databaseRead(server: "moved_to_primary")
            }
        }
        CruddurMetrics.databaseRead(server: "primary")
        return try await run(statement, operation)
    }

    /// `operation` on `target`, bounded, measured and traced; on the primary, failures to reach it open the
    /// breaker, and on a standby they are thrown as they are, for ``read(_:mayLag:_:)`` to move the read.
    private func call<T: Sendable>(
        _ statement: String, on target: PostgresPool, primary: Bool,
        _ operation: @escaping @Sendable (BoundedPool) async throws -> T
    ) async throws -> T {
        // The bound is the driver's: each unit carries the call's deadline and its connection's thread answers
        // it then. A task and an event-loop timer per call (withDeadline) cost 9% of a one-row route's CPU (perf).
        let pool = target.bounded(by: queryTimeout)
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
        } catch let error as PostgresError where !primary && (error.isUnavailability || error.sqlState == "40001") {
            record("standby_unavailable")
            throw error
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

/// Closes the pools when the service group shuts down, after the HTTP server has stopped using them.
struct PostgresPoolService: Service {
    let pools: [PostgresPool]

    func run() async {
        try? await gracefulShutdown()
        for pool in pools { await pool.close() }
    }
}

/// Why the server could not start on PostgreSQL; its message is printed as is.
public struct DatabaseStartupError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension [Visibility] {
    /// Whether a read for callers who may read these may be served by a standby: an anonymous caller's
    /// (public cruds only). A signed-in caller's reads go to the primary, so they see their own writes at once.
    var mayLag: Bool { self == [.public] }
}
