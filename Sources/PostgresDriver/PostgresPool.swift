import Logging

/// A few pipelined connections to one PostgreSQL (or, with several hosts in the URL, to the first that
/// libpq reaches and that matches `target_session_attrs`). Each call goes to the least loaded connection
/// that is up; pipelining makes few connections enough (every waiting caller's statements share a write).
///
/// Calls are never queued behind a connection that is down: with none up or connecting, a call fails at
/// once with a ``PostgresError/Kind/connect`` error, and the connections keep reconnecting on their own.
public final class PostgresPool: Sendable {
    let connections: [PipelinedConnection]

    /// Opens `size` connections in the background. `stallTimeout` bounds connecting, and how long a
    /// connection with statements in flight may answer nothing before it is closed and they fail.
    public init(options: PostgresConnectionOptions, size: Int, stallTimeout: Duration, logger: Logger) {
        connections = (0..<max(1, size)).map { index in
            PipelinedConnection(
                options: options, stallTimeout: stallTimeout, logger: logger, name: "postgres-\(index)")
        }
    }

    /// Runs `statements` as one unit: one round trip, one implicit transaction that commits when the unit's
    /// Sync is reached (all of them or none), answered after that commit. The results are in statement order.
    /// A failing statement fails this unit alone, with its error; the others in the pipeline go on.
    /// Cancelling the caller answers it at once with `CancellationError`; what was sent still runs.
    /// With a `deadline`, the unit is answered with a ``PostgresError/Kind/timeout`` error once it passes.
    public func run(_ statements: [PostgresStatement], deadline: PostgresDeadline? = nil) async throws
        -> [PostgresResult]
    {
        let unit = PipelineUnit(statements, deadline: deadline)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard unit.wait(continuation) else { return }
                if let error = submit(unit) { unit.finish(.failure(error)) }
            }
        } onCancel: {
            unit.finish(.failure(CancellationError()))
        }
    }

    /// Runs one statement on its own (its own unit and transaction).
    public func query(_ statement: PostgresStatement) async throws -> PostgresResult {
        try await run([statement])[0]
    }

    /// Whether any connection is up.
    public var isConnected: Bool { connections.contains { $0.health == .up } }

    /// Closes every connection: what is queued or in flight fails with a ``PostgresError/Kind/closed`` error.
    public func close() async {
        for connection in connections { await connection.close() }
    }

    /// Gives `unit` to the least loaded connection that is up, else to one still connecting; the reason none
    /// would take it otherwise.
    private func submit(_ unit: PipelineUnit) -> PostgresError? {
        for _ in 0...connections.count {
            var best: PipelinedConnection?
            var bestRank = Int.max
            for connection in connections {
                let load = connection.load.load(ordering: .relaxed)
                let rank: Int
                switch connection.health {
                case .up: rank = load
                case .connecting: rank = 1 << 40 + load
                case .down: continue
                }
                if rank < bestRank { (best, bestRank) = (connection, rank) }
            }
            guard let best else { break }
            if best.submit(unit) { return nil }
        }
        var reason = "no connection to PostgreSQL"
        for connection in connections {
            if case .down(let message) = connection.health { reason = message }
        }
        return PostgresError(.connect, reason)
    }
}
