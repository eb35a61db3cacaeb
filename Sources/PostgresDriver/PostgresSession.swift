import CLibPQ
import Foundation
import Logging

/// One connection of its own, used from one thread of its own: for start-up probes, migrations, seeding
/// and LISTEN, where a caller needs a session (an advisory lock, a transaction spanning its decisions, a
/// channel) rather than a share of the pipeline. Every call is bounded by `callTimeout` when one is given.
public final class PostgresSession {
    let connection: OpaquePointer
    let callTimeout: UInt64?

    private init(connection: OpaquePointer, callTimeout: Duration?) {
        self.connection = connection
        self.callTimeout = callTimeout.map(LibPQ.nanoseconds)
    }

    /// Connects within `connectTimeout`, runs `body` on a new thread with the session, and closes it.
    /// The session's notices go to `logger` at `debug`.
    public static func with<T: Sendable>(
        _ options: PostgresConnectionOptions, connectTimeout: Duration, callTimeout: Duration? = nil,
        logger: Logger = Logger(label: "postgres"), _ body: @escaping @Sendable (PostgresSession) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                let notices = PostgresNotices(logger: logger)
                defer { withExtendedLifetime(notices) {} }
                do {
                    let connection = try LibPQ.connect(options, timeout: connectTimeout, notices: notices)
                    guard PQsetnonblocking(connection, 1) == 0 else { throw LibPQ.failure(connection, kind: .connect) }
                    let session = PostgresSession(connection: connection, callTimeout: callTimeout)
                    defer { PQfinish(connection) }
                    continuation.resume(returning: try body(session))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "postgres-session"
            thread.start()
        }
    }

    /// Runs `sql`, one or more statements separated by semicolons, without parameters (the simple query
    /// protocol, as `psql -c` does); throws the first statement's error. Outside a `BEGIN`, several
    /// statements run in one transaction.
    public func execute(_ sql: String) throws(PostgresError) {
        let deadline = callTimeout.map { LibPQ.now() + $0 }
        guard PQsendQuery(connection, sql) == 1 else { throw lost() }
        _ = try results(deadline: deadline)
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws (its error rethrown).
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs one statement with `parameters`; its rows, in binary format.
    @discardableResult
    public func query(_ sql: String, _ parameters: PostgresParameters = PostgresParameters()) throws(PostgresError)
        -> PostgresResult
    {
        let deadline = callTimeout.map { LibPQ.now() + $0 }
        let sent = parameters.withCArrays { values, lengths, formats in
            parameters.types.withUnsafeBufferPointer { types in
                PQsendQueryParams(
                    connection, sql, Int32(parameters.count), types.baseAddress, values, lengths, formats, 1)
            }
        }
        guard sent == 1 else { throw lost() }
        guard let last = try results(deadline: deadline) else {
            throw PostgresError(.connectionLost, "no result for the statement")
        }
        return last
    }

    /// Waits up to `timeout` for notifications on the channels this session listens to; the channels
    /// notified, in order (empty when none came). Throws when the connection is lost.
    public func notifications(timeout: Duration) throws(PostgresError) -> [String] {
        var channels = collectNotifications()
        guard channels.isEmpty else { return channels }
        if LibPQ.wait(on: PQsocket(connection), for: Int16(POLLIN), nanoseconds: LibPQ.nanoseconds(timeout)) {
            guard PQconsumeInput(connection) == 1 else { throw lost() }
            channels = collectNotifications()
        }
        return channels
    }

    private func collectNotifications() -> [String] {
        var channels: [String] = []
        while let notification = PQnotifies(connection) {
            channels.append(String(cString: notification.pointee.relname))
            PQfreemem(notification)
        }
        return channels
    }

    private func lost() -> PostgresError {
        PostgresError(.connectionLost, String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines)
    }

    /// Flushes, then reads every result of the query sent; the last, or the first error.
    private func results(deadline: UInt64?) throws(PostgresError) -> PostgresResult? {
        func waitFor(_ events: Int16) throws(PostgresError) {
            let remaining: UInt64
            if let deadline {
                let now = LibPQ.now()
                guard deadline > now else { throw PostgresError(.connectionLost, "PostgreSQL did not answer in time") }
                remaining = deadline - now
            } else {
                remaining = UInt64(Int32.max) * 1_000_000
            }
            guard LibPQ.wait(on: PQsocket(connection), for: events, nanoseconds: remaining) else {
                throw PostgresError(.connectionLost, "PostgreSQL did not answer in time")
            }
            guard PQconsumeInput(connection) == 1 else { throw lost() }
        }
        while true {
            let flushed = PQflush(connection)
            if flushed == 0 { break }
            guard flushed == 1 else { throw lost() }
            try waitFor(Int16(POLLIN | POLLOUT))
        }
        var last: PostgresResult?
        var failure: PostgresError?
        while true {
            while PQisBusy(connection) == 1 { try waitFor(Int16(POLLIN)) }
            guard let result = PQgetResult(connection) else { break }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                last = PostgresResult(result)
            default:
                if failure == nil { failure = LibPQ.error(of: result) }
                PQclear(result)
            }
        }
        if let failure { throw failure }
        return last
    }
}
