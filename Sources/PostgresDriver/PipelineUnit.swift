import CLibPQ
import Synchronization

/// One caller's statements, sent together and closed by one Sync, so they run in one implicit transaction:
/// all of them commit at the Sync, or none does, and an error in them aborts nothing of any other unit.
/// The caller is answered once, when the Sync's result arrives (after the commit) or the unit fails.
final class PipelineUnit: @unchecked Sendable {
    /// One query in the pipeline: a statement's Parse, or its execution.
    enum Step {
        case prepare(String)
        case execute(Int)
    }

    let statements: [PostgresStatement]
    let deadline: PostgresDeadline?

    // Owned by the connection's thread once submitted.
    var steps: [Step] = []
    var step = 0
    /// Whether the current step has produced a result yet (libpq ends each step's results with a NULL).
    var stepAnswered = false
    var results: [PostgresResult?]
    var error: PostgresError?
    /// Whether the thread answered it at its deadline (its statements still in the pipeline).
    var expired = false

    private enum State {
        case idle
        case waiting(CheckedContinuation<[PostgresResult], any Error>)
        case finished(Result<[PostgresResult], any Error>)
        case delivered
    }

    private let state = Mutex(State.idle)

    init(_ statements: [PostgresStatement], deadline: PostgresDeadline?) {
        self.statements = statements
        self.deadline = deadline
        results = Array(repeating: nil, count: statements.count)
    }

    /// Parks the caller until ``finish(_:)``; `false` when the unit already finished (then the caller is
    /// resumed at once and the unit must not be submitted).
    func wait(_ continuation: CheckedContinuation<[PostgresResult], any Error>) -> Bool {
        let early: Result<[PostgresResult], any Error>? = state.withLock { state in
            guard case .finished(let result) = state else {
                state = .waiting(continuation)
                return nil
            }
            state = .delivered
            return result
        }
        guard let early else { return true }
        continuation.resume(with: early)
        return false
    }

    /// Answers the caller, unless it was answered already (it gave up: cancelled, or past its deadline).
    func finish(_ result: Result<[PostgresResult], any Error>) {
        let waiting: CheckedContinuation<[PostgresResult], any Error>? = state.withLock { state in
            switch state {
            case .idle:
                state = .finished(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .finished, .delivered:
                return nil
            }
        }
        waiting?.resume(with: result)
    }

    /// Answers with the results read, or the first error.
    func complete() {
        if let error {
            finish(.failure(error))
            return
        }
        var answered: [PostgresResult] = []
        answered.reserveCapacity(results.count)
        for result in results {
            guard let result else {
                finish(.failure(PostgresError(.connectionLost, "a statement of the unit went unanswered")))
                return
            }
            answered.append(result)
        }
        finish(.success(answered))
    }

    /// Records the result of the current step (the connection's thread calls this).
    func record(_ result: OpaquePointer, prepared: inout Set<String>) {
        stepAnswered = true
        let status = PQresultStatus(result)
        let current = step < steps.count ? steps[step] : nil
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            if case .execute(let index) = current {
                results[index] = PostgresResult(result)
                return
            }
        case PGRES_PIPELINE_ABORTED:
            if case .prepare(let name) = current { prepared.remove(name) }
            if error == nil { error = PostgresError(.aborted, "an earlier statement of the unit failed") }
        default:
            if case .prepare(let name) = current { prepared.remove(name) }
            if error == nil || error?.kind == .aborted { error = LibPQ.error(of: result) }
        }
        PQclear(result)
    }
}
