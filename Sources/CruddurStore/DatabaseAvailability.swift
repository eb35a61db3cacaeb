import CruddurRuntime
import Logging
import ServiceLifecycle
import Synchronization

/// The outage breaker: whether store calls should reach PostgreSQL at all. When a call fails for lack
/// of a connection (or runs past its deadline), a probe checks the database on a connection of its own;
/// while the probe cannot reach it, every store call answers 503 at once instead of waiting out its
/// deadline, and the probe keeps trying every `probeInterval` until the database answers again.
public final class DatabaseAvailability: Sendable {
    public enum State: String, Sendable {
        /// Calls go to the database.
        case up
        /// A call failed; a probe is checking. Calls still go to the database.
        case checking
        /// The probe cannot reach the database: calls fail at once.
        case down

        /// The breaker's metric: 0 up, 1 checking, 2 down.
        var gauge: Int {
            switch self {
            case .up: 0
            case .checking: 1
            case .down: 2
            }
        }
    }

    let state = Mutex(State.up)
    let signals: AsyncStream<Void>
    let signal: AsyncStream<Void>.Continuation

    public init() {
        (signals, signal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var current: State { state.withLock { $0 } }

    /// Whether calls should fail at once.
    public var isDown: Bool { current == .down }

    /// A call could not reach the database: start a probe unless one is running.
    func reportFailure() {
        let start = state.withLock { state in
            guard state == .up else { return false }
            state = .checking
            return true
        }
        if start {
            CruddurMetrics.breaker(State.checking.gauge)
            signal.yield()
        }
    }

    func set(_ new: State) {
        state.withLock { $0 = new }
        CruddurMetrics.breaker(new.gauge)
    }
}

/// Runs the breaker's probes: on each reported failure, checks the database with `probe` (a fresh
/// connection and `SELECT 1`, bounded), and while it fails, again every `interval`.
public struct DatabaseAvailabilityProbe: Service {
    let availability: DatabaseAvailability
    let interval: Duration
    let probe: @Sendable () async -> Bool
    let logger: Logger

    public init(
        availability: DatabaseAvailability, interval: Duration = .milliseconds(200), logger: Logger,
        probe: @escaping @Sendable () async -> Bool
    ) {
        self.availability = availability
        self.interval = interval
        self.probe = probe
        self.logger = logger
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            for await _ in availability.signals {
                guard await !probe() else {
                    availability.set(.up)
                    continue
                }
                availability.set(.down)
                logger.error("PostgreSQL is unreachable: answering 503 at once until it is back")
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    if await probe() { break }
                }
                availability.set(.up)
                logger.notice("PostgreSQL is reachable again")
            }
        }
    }
}
