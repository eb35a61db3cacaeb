/// An instant on the monotonic clock the connection threads keep time by, after which a unit is answered
/// with a ``PostgresError/Kind/timeout`` error whatever became of its statements.
public struct PostgresDeadline: Sendable, Comparable {
    let nanoseconds: UInt64

    /// `timeout` from now.
    public static func after(_ timeout: Duration) -> PostgresDeadline {
        PostgresDeadline(nanoseconds: LibPQ.now() + LibPQ.nanoseconds(timeout))
    }

    public var hasPassed: Bool { LibPQ.now() >= nanoseconds }

    public static func < (lhs: PostgresDeadline, rhs: PostgresDeadline) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

/// The pool as one call sees it: every unit it runs is bounded by the call's one deadline, enforced by the
/// connection threads (which poll with a timeout anyway), so bounding a call costs no task or timer.
public struct BoundedPool: Sendable {
    public let pool: PostgresPool
    public let deadline: PostgresDeadline

    public func run(_ statements: [PostgresStatement]) async throws -> [PostgresResult] {
        try await pool.run(statements, deadline: deadline)
    }

    public func query(_ statement: PostgresStatement) async throws -> PostgresResult {
        try await pool.run([statement], deadline: deadline)[0]
    }
}

extension PostgresPool {
    /// This pool with every unit bounded by `timeout` from now.
    public func bounded(by timeout: Duration) -> BoundedPool {
        BoundedPool(pool: self, deadline: .after(timeout))
    }
}
