import CLibPQ
import Foundation
import Logging
import Synchronization

/// One PostgreSQL connection in libpq's pipeline mode, driven by a thread of its own.
///
/// Callers submit units from any task; the thread sends every unit waiting when it wakes in one write,
/// each with its own Sync, keeps sending new ones while earlier answers are still coming, and reads the
/// answers in order. The socket is non-blocking and the thread polls it for reading and writing at once,
/// so a batch larger than both socket buffers cannot deadlock. A connection that answers nothing for
/// `stallTimeout` while units are in flight (a crashed server, a cut cable) is closed and its units fail;
/// the thread then reconnects, and statements are prepared again as they are first used. A unit whose deadline
/// passes is answered then by the thread, which polls with the earliest deadline as its timeout.
final class PipelinedConnection: @unchecked Sendable {
    enum Health: Equatable {
        case connecting
        case up
        case down(String)
    }

    private struct Shared {
        var queue: [PipelineUnit] = []
        var health = Health.connecting
        var closing = false
    }

    private let shared = Mutex(Shared())
    /// Units queued or in flight, for the pool to pick the least loaded connection.
    let load = Atomic<Int>(0)
    private let wake: Int32
    private let options: PostgresConnectionOptions
    private let stallTimeout: UInt64
    private let retryDelay: UInt64 = 250_000_000
    private let logger: Logger
    private let notices: PostgresNotices
    private let exited: AsyncStream<Void>
    private let exit: AsyncStream<Void>.Continuation

    // Owned by the thread.
    private var connection: OpaquePointer?
    private var prepared: Set<String> = []
    private var inflight: [PipelineUnit] = []
    private var inflightHead = 0
    private var lastProgress: UInt64 = 0
    /// The earliest deadline of a unit in flight not yet answered (`UInt64.max`: none).
    private var earliestDeadline = UInt64.max

    init(options: PostgresConnectionOptions, stallTimeout: Duration, logger: Logger, name: String) {
        self.options = options
        self.stallTimeout = LibPQ.nanoseconds(stallTimeout)
        self.logger = logger
        notices = PostgresNotices(logger: logger)
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        (exited, exit) = AsyncStream.makeStream(of: Void.self)
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    var health: Health { shared.withLock { $0.health } }

    /// Queues `unit`; `false` when the connection is down or closing (the unit is not taken).
    func submit(_ unit: PipelineUnit) -> Bool {
        let wasEmpty: Bool? = shared.withLock { shared in
            if shared.closing { return nil }
            if case .down = shared.health { return nil }
            shared.queue.append(unit)
            return shared.queue.count == 1
        }
        guard let wasEmpty else { return false }
        load.add(1, ordering: .relaxed)
        if wasEmpty { signal() }
        return true
    }

    /// Fails what is queued and in flight, closes the connection and ends the thread; returns when it has.
    func close() async {
        shared.withLock { $0.closing = true }
        signal()
        for await _ in exited {}
    }

    private func signal() {
        var one: UInt64 = 1
        _ = Foundation.write(wake, &one, 8)
    }

    private func drainWake() {
        var value: UInt64 = 0
        _ = Foundation.read(wake, &value, 8)
    }

    // MARK: The thread

    private func run() {
        defer {
            Foundation.close(wake)
            exit.finish()
        }
        while true {
            if shared.withLock({ $0.closing }) {
                drop(PostgresError(.closed, "the connection pool is closed"), reconnect: false)
                failQueued(PostgresError(.closed, "the connection pool is closed"))
                return
            }
            guard let connection else {
                connect()
                continue
            }
            let batch = shared.withLock { shared in
                defer { shared.queue.removeAll(keepingCapacity: true) }
                return shared.queue
            }
            if !batch.isEmpty {
                if inflightHead == inflight.count { lastProgress = LibPQ.now() }
                var unsent = batch[...]
                while let unit = unsent.first {
                    if let deadline = unit.deadline {
                        guard !deadline.hasPassed else {
                            expire(unit)
                            load.subtract(1, ordering: .relaxed)
                            unsent = unsent.dropFirst()
                            continue
                        }
                        earliestDeadline = min(earliestDeadline, deadline.nanoseconds)
                    }
                    guard send(unit, on: connection) else { break }
                    inflight.append(unit)
                    unsent = unsent.dropFirst()
                }
                if !unsent.isEmpty {
                    // libpq refused to queue a message: the connection is not usable any more.
                    let error = PostgresError(.connectionLost, errorMessage(connection))
                    for unit in unsent { unit.finish(.failure(error)) }
                    load.subtract(unsent.count, ordering: .relaxed)
                    drop(error)
                    continue
                }
            }
            let flushed = PQflush(connection)
            guard flushed >= 0 else {
                drop(PostgresError(.connectionLost, errorMessage(connection)))
                continue
            }
            waitAndRead(connection, writing: flushed == 1)
            if LibPQ.now() >= earliestDeadline { expireInflight() }
        }
    }

    private func expire(_ unit: PipelineUnit) {
        unit.expired = true
        unit.finish(.failure(PostgresError(.timeout, "no answer from PostgreSQL within the call's deadline")))
    }

    /// Answers the units in flight whose deadline has passed; their statements stay in the pipeline and their
    /// results are read and dropped as they come.
    private func expireInflight() {
        let now = LibPQ.now()
        earliestDeadline = .max
        for unit in inflight[inflightHead...] where !unit.expired {
            guard let deadline = unit.deadline?.nanoseconds else { continue }
            if deadline <= now {
                expire(unit)
            } else {
                earliestDeadline = min(earliestDeadline, deadline)
            }
        }
    }

    /// Answers the queued units whose deadline has passed (while the thread is busy connecting).
    private func expireQueued() {
        let expired = shared.withLock { shared in
            var expired: [PipelineUnit] = []
            shared.queue.removeAll { unit in
                guard unit.deadline?.hasPassed == true else { return false }
                expired.append(unit)
                return true
            }
            return expired
        }
        for unit in expired { expire(unit) }
        load.subtract(expired.count, ordering: .relaxed)
    }

    private func connect() {
        do throws(PostgresError) {
            let opened = try LibPQ.connect(
                options, timeout: .nanoseconds(Int64(stallTimeout)), notices: notices, tick: expireQueued)
            guard PQsetnonblocking(opened, 1) == 0, PQenterPipelineMode(opened) == 1 else {
                throw LibPQ.failure(opened, kind: .connect)
            }
            connection = opened
            prepared = []
            shared.withLock { $0.health = .up }
        } catch {
            let wasUp = shared.withLock { shared in
                defer { shared.health = .down(error.message) }
                return shared.health == .up
            }
            if wasUp { logger.warning("PostgreSQL connection failed", metadata: ["error": "\(error.message)"]) }
            failQueued(error)
            var descriptor = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(retryDelay / 1_000_000))
            drainWake()
            shared.withLock { if case .down = $0.health { $0.health = .connecting } }
        }
    }

    private func failQueued(_ error: PostgresError) {
        let queued = shared.withLock { shared in
            defer { shared.queue.removeAll() }
            return shared.queue
        }
        for unit in queued { unit.finish(.failure(error)) }
        load.subtract(queued.count, ordering: .relaxed)
    }

    /// Closes the connection and fails every unit in flight with `error`; the loop reconnects.
    private func drop(_ error: PostgresError, reconnect: Bool = true) {
        if let connection {
            PQfinish(connection)
            if reconnect {
                logger.warning("Lost a PostgreSQL connection; reconnecting", metadata: ["error": "\(error.message)"])
            }
        }
        connection = nil
        for unit in inflight[inflightHead...] { unit.finish(.failure(error)) }
        load.subtract(inflight.count - inflightHead, ordering: .relaxed)
        inflight.removeAll(keepingCapacity: true)
        inflightHead = 0
        earliestDeadline = .max
        shared.withLock { if !$0.closing { $0.health = .connecting } }
    }

    private func errorMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingTrailingNewlines
    }

    /// Queues the unit's statements and its Sync in libpq's output buffer: first the Parse of each named
    /// statement this connection has not prepared (so no failing statement of the unit can abort a Parse
    /// that a later unit relies on), then each statement, then the Sync.
    private func send(_ unit: PipelineUnit, on connection: OpaquePointer) -> Bool {
        unit.steps.reserveCapacity(unit.statements.count)
        for statement in unit.statements {
            guard let name = statement.name, !prepared.contains(name) else { continue }
            let sent = statement.parameters.types.withUnsafeBufferPointer { types in
                PQsendPrepare(connection, name, statement.sql, Int32(types.count), types.baseAddress)
            }
            guard sent == 1 else { return false }
            prepared.insert(name)
            unit.steps.append(.prepare(name))
        }
        for (index, statement) in unit.statements.enumerated() {
            let parameters = statement.parameters
            let sent = parameters.withCArrays { values, lengths, formats in
                if let name = statement.name {
                    return PQsendQueryPrepared(
                        connection, name, Int32(parameters.count), values, lengths, formats, 1)
                }
                return parameters.types.withUnsafeBufferPointer { types in
                    PQsendQueryParams(
                        connection, statement.sql, Int32(parameters.count), types.baseAddress, values, lengths,
                        formats, 1)
                }
            }
            guard sent == 1 else { return false }
            unit.steps.append(.execute(index))
        }
        return PQpipelineSync(connection) == 1
    }

    /// Waits for the socket (and for `writing`, for room to write) or for a new unit, reads what arrived,
    /// and closes a connection that has answered nothing for `stallTimeout` with units in flight.
    private func waitAndRead(_ connection: OpaquePointer, writing: Bool) {
        let socket = PQsocket(connection)
        var descriptors = [
            pollfd(fd: socket, events: Int16(POLLIN) | (writing ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        let busy = inflightHead < inflight.count
        var timeout: Int32 = -1
        if busy {
            let now = LibPQ.now()
            let deadline = min(lastProgress + stallTimeout, earliestDeadline)
            timeout = deadline > now ? Int32(min((deadline - now) / 1_000_000 + 1, UInt64(Int32.max))) : 0
        }
        let ready = poll(&descriptors, 2, timeout)
        if ready < 0 && errno == EINTR { return }
        if descriptors[1].revents != 0 { drainWake() }
        if descriptors[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
            guard PQconsumeInput(connection) == 1 else {
                drop(PostgresError(.connectionLost, errorMessage(connection)))
                return
            }
            if busy { lastProgress = LibPQ.now() }
            readResults(connection)
        } else if busy && LibPQ.now() >= lastProgress + stallTimeout {
            let seconds = Double(stallTimeout) / 1e9
            drop(PostgresError(.connectionLost, "PostgreSQL answered nothing for \(seconds) s"))
        }
    }

    /// Reads every result libpq has whole, giving each to the oldest unit in flight and answering a unit
    /// at its Sync.
    private func readResults(_ connection: OpaquePointer) {
        var emptyReads = 0
        while inflightHead < inflight.count, PQisBusy(connection) == 0 {
            let unit = inflight[inflightHead]
            guard let result = PQgetResult(connection) else {
                // The end of one step's results. A NULL with no result before it ends nothing (libpq gives
                // one between a Sync and the next query); two in a row mean nothing more is buffered.
                if unit.stepAnswered {
                    unit.stepAnswered = false
                    unit.step += 1
                    emptyReads = 0
                } else {
                    emptyReads += 1
                    if emptyReads > 1 { return }
                }
                continue
            }
            emptyReads = 0
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                PQclear(result)
                inflightHead += 1
                load.subtract(1, ordering: .relaxed)
                unit.complete()
                if inflightHead == inflight.count {
                    inflight.removeAll(keepingCapacity: true)
                    inflightHead = 0
                }
                continue
            }
            unit.record(result, prepared: &prepared)
        }
        if inflightHead > 1024 {
            inflight.removeFirst(inflightHead)
            inflightHead = 0
        }
    }
}
