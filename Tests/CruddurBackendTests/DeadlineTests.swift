import Foundation
import Synchronization
import Testing

@testable import CruddurRuntime

/// `withDeadline` bounds every database call and outbound fetch: it must return at its deadline even when
/// the operation ignores cancellation, return at once when its caller is cancelled, and otherwise return
/// the operation's own result or error.
@Suite("Deadlines")
struct DeadlineTests {
    struct Refused: Error {}

    /// Sleeps `seconds` on a thread, deaf to cancellation, as a wedged connection is.
    static func deaf(_ seconds: Double) async {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: seconds)
                continuation.resume()
            }
        }
    }

    @Test func theOperationsResultOrErrorComesBack() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        await #expect(throws: Refused.self) { try await withDeadline(.seconds(5)) { throw Refused() } }
    }

    @Test func anOperationThatIgnoresCancellationIsLeftBehindAtTheDeadline() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(200)) {
                await Self.deaf(3)
                return 1
            }
        }
        #expect(clock.now - started < .seconds(1))
    }

    @Test func theDeadlineCancelsTheOperation() async throws {
        let cancelled = Mutex(false)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100)) {
                await withTaskCancellationHandler {
                    try? await Task.sleep(for: .seconds(5))
                } onCancel: {
                    cancelled.withLock { $0 = true }
                }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(cancelled.withLock { $0 })
    }

    @Test func cancellingTheCallerReturnsAtOnce() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let caller = Task {
            try await withDeadline(.seconds(10)) {
                await Self.deaf(3)
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(clock.now - started < .seconds(1))
    }
}
