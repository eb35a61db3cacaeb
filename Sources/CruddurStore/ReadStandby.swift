import CruddurRuntime
import Logging
import PostgresDriver
import Synchronization

/// One standby of `READ_CONNECTION_URL`: its own pool, and whether it may serve reads now, as the
/// ``StandbyMonitor`` last measured it. A standby serves while it answers and its replay lag is within
/// `REPLICA_MAX_LAG_MS`; a read it fails to serve is answered by the primary instead.
public final class ReadStandby: Sendable {
    public let pool: PostgresPool
    /// `host:port/database`, for logs and metrics.
    public let name: String
    private let serving = Atomic(false)
    /// What the last measurement found, to log changes once (a failed read also stops its serving).
    private let measuredServing = Atomic(false)

    init(options: PostgresConnectionOptions, poolSize: Int, stallTimeout: Duration, logger: Logger) {
        name = options.description
        var logger = logger
        logger[metadataKey: "standby"] = "\(name)"
        pool = PostgresPool(options: options, size: poolSize, stallTimeout: stallTimeout, logger: logger)
    }

    public var isServing: Bool { serving.load(ordering: .relaxed) }

    /// Records a measurement (`nil`: unreachable); whether it changed what the last one found.
    @discardableResult
    func update(lagMilliseconds: Int64?, maxLagMilliseconds: Int64) -> Bool {
        let now = lagMilliseconds.map { $0 <= maxLagMilliseconds } ?? false
        CruddurMetrics.standby(name, lagSeconds: lagMilliseconds.map { Double($0) / 1000 }, serving: now)
        serving.store(now, ordering: .relaxed)
        return measuredServing.exchange(now, ordering: .relaxed) != now
    }

    /// A read failed to reach it: no more reads until the monitor measures it again.
    func markUnreachable() {
        serving.store(false, ordering: .relaxed)
    }
}

/// The standbys, and the turn that spreads reads over the ones serving.
final class ReadStandbys: Sendable {
    let all: [ReadStandby]
    private let turn = Atomic(0)

    init(_ all: [ReadStandby]) {
        self.all = all
    }

    /// A serving standby, taking turns; `nil` when none serves.
    func pick() -> ReadStandby? {
        guard !all.isEmpty else { return nil }
        let start = turn.add(1, ordering: .relaxed).newValue
        for offset in 0..<all.count {
            let standby = all[(start &+ offset) % all.count]
            if standby.isServing { return standby }
        }
        return nil
    }
}
