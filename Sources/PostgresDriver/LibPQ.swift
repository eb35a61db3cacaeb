import CLibPQ
import Foundation

/// The few libpq calls every connection makes, in one place: connecting within a deadline, waiting on
/// the socket, and reading an error out of a result or a connection.
enum LibPQ {
    /// A monotonic clock reading in nanoseconds.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Opens a connection without blocking past `timeout` (libpq's own `connect_timeout` counts whole
    /// seconds, at least two, and only in its blocking calls): `PQconnectStartParams`, then
    /// `PQconnectPoll` driven by `poll`. Several hosts are tried in order by libpq itself.
    /// `tick` is called at least every 100 ms while it waits.
    static func connect(
        _ options: PostgresConnectionOptions, timeout: Duration, notices: PostgresNotices, tick: () -> Void = {}
    ) throws(PostgresError) -> OpaquePointer {
        let deadline = now() + nanoseconds(timeout)
        let started = options.withKeywords { keywords, values in PQconnectStartParams(keywords, values, 1) }
        guard let connection = started else { throw PostgresError(.connect, "out of memory") }
        notices.receive(from: connection)
        guard PQstatus(connection) != CONNECTION_BAD else { throw failure(connection, kind: .connect) }
        var polling = PGRES_POLLING_WRITING
        while true {
            switch polling {
            case PGRES_POLLING_OK:
                return connection
            case PGRES_POLLING_FAILED:
                throw failure(connection, kind: .connect)
            default:
                let events = Int16(polling == PGRES_POLLING_READING ? POLLIN : POLLOUT)
                var ready = false
                while !ready {
                    let remaining = deadline > now() ? deadline - now() : 0
                    guard remaining > 0 else {
                        PQfinish(connection)
                        throw PostgresError(.connect, "no answer within \(timeout)")
                    }
                    ready = wait(on: PQsocket(connection), for: events, nanoseconds: min(remaining, 100_000_000))
                    tick()
                }
                polling = PQconnectPoll(connection)
            }
        }
    }

    /// Waits for `events` on `socket` at most `nanoseconds`; `true` when it is ready (or in error, which the
    /// next libpq call reports).
    static func wait(on socket: Int32, for events: Int16, nanoseconds: UInt64) -> Bool {
        var descriptor = pollfd(fd: socket, events: events, revents: 0)
        let milliseconds = Int32(min((nanoseconds + 999_999) / 1_000_000, UInt64(Int32.max)))
        while true {
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            return ready != 0
        }
    }

    /// The connection's error, and the connection closed.
    static func failure(_ connection: OpaquePointer, kind: PostgresError.Kind) -> PostgresError {
        let error = PostgresError(kind, String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines)
        PQfinish(connection)
        return error
    }

    /// The error a failed result carries: PostgreSQL's message, SQLSTATE and constraint.
    static func error(of result: OpaquePointer) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let message = field(UInt8(ascii: "M")) ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines
        return PostgresError(
            .server, message, sqlState: field(UInt8(ascii: "C")), constraint: field(UInt8(ascii: "n")))
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }
}
