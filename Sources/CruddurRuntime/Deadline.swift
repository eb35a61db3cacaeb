import NIOPosix
import Synchronization

/// Thrown by ``withDeadline(_:_:)`` when the operation did not finish in time.
package struct DeadlineExceeded: Error {}

/// Runs `operation` and returns its result, or throws ``DeadlineExceeded`` after `timeout`, whichever
/// comes first, and in either case returns *then*: an operation that ignores cancellation (a connection
/// wedged by a database crash) is cancelled and left behind, never waited for. A task group would wait
/// for it, and the request with it, past every deadline.
///
/// One task runs the operation and reports its own result; the deadline is a timer on an event loop.
/// The first version also ran the timer and the wait as tasks (three tasks and a dispatch timer per call):
/// with the PostgreSQL store that was a tenth of a one-row read's throughput (`wrk`, same build with and
/// without the deadline, see docs/performance.md).
package func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T)
    async throws -> T
{
    let outcome = DeadlineOutcome<T>()
    let work = Task {
        do {
            outcome.finish(.success(try await operation()))
        } catch {
            outcome.finish(.failure(error))
        }
    }
    let (seconds, attoseconds) = timeout.components
    let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(
        in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    ) {
        if outcome.finish(.failure(DeadlineExceeded())) { work.cancel() }
    }
    defer { timer.cancel() }
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in outcome.wait(continuation) }
    } onCancel: {
        work.cancel()
        outcome.finish(.failure(CancellationError()))
    }
}

/// The first of the operation's result, the deadline and cancellation, delivered once.
private final class DeadlineOutcome<T: Sendable>: Sendable {
    private enum State {
        case idle
        case waiting(CheckedContinuation<T, any Error>)
        case finished(Result<T, any Error>)
        case delivered
    }

    private let state = Mutex(State.idle)

    func wait(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            guard case .finished(let result) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .delivered
            return result
        }
        if let early { continuation.resume(with: early) }
    }

    /// Delivers `result` unless another outcome came first; `true` when this one won.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let waiting: CheckedContinuation<T, any Error>?? = state.withLock { state in
            switch state {
            case .idle:
                state = .finished(result)
                return .some(nil)
            case .waiting(let continuation):
                state = .delivered
                return .some(continuation)
            case .finished, .delivered:
                return nil
            }
        }
        guard let waiting else { return false }
        waiting?.resume(with: result)
        return true
    }
}
