import Dispatch
import Logging
import PostgresDriver
import ServiceLifecycle

/// Measures every standby's replay lag each `interval`: the primary's WAL position first, then each
/// standby's replayed position, compared by ``ReplayLag``. A standby that does not answer within a second,
/// or lags by more than `maxLag`, serves no reads until a later probe finds it back.
struct StandbyMonitor: Service {
    let primary: PostgresPool
    let standbys: [ReadStandby]
    let interval: Duration
    let maxLag: Duration
    let logger: Logger

    static let primaryPosition = PostgresStatement(
        "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::int8", prepared: "primary_wal_position")
    /// A standby's replayed position, or NULL when it is not in recovery: promoted (or a primary named as a
    /// standby), it has the newest data there is, and lags by nothing.
    static let replayPosition = PostgresStatement(
        "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::int8, pg_is_in_recovery()",
        prepared: "standby_replay_position")

    func run() async {
        let maxLagMilliseconds = Int64(
            maxLag.components.seconds * 1000 + maxLag.components.attoseconds / 1_000_000_000_000_000)
        await cancelWhenGracefulShutdown {
            var lag = ReplayLag()
            while !Task.isCancelled {
                let primaryPosition = try? await primary.bounded(by: .seconds(1)).query(Self.primaryPosition)
                    .decode(Int64.self, row: 0, column: 0)
                if let primaryPosition {
                    lag.record(primary: primaryPosition, at: DispatchTime.now().uptimeNanoseconds)
                }
                for standby in standbys {
                    var measured: Int64?
                    if let result = try? await standby.pool.bounded(by: .seconds(1)).query(Self.replayPosition),
                        let inRecovery = try? result.decode(Bool.self, row: 0, column: 1)
                    {
                        if !inRecovery || primaryPosition == nil {
                            // Promoted; or the primary is gone, and with it any position the standby could
                            // still replay: what it holds is the newest there is (WAL the primary wrote but never
                            // sent would otherwise count as lag, and a lost primary would stop reads too).
                            measured = 0
                        } else if let replayed = try? result.decode(Int64.self, row: 0, column: 0) {
                            let now = DispatchTime.now().uptimeNanoseconds
                            measured = Int64(lag.lag(replayed: replayed, now: now) / 1_000_000)
                        }
                    }
                    if standby.update(lagMilliseconds: measured, maxLagMilliseconds: maxLagMilliseconds) {
                        log(standby, measured: measured)
                    }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func log(_ standby: ReadStandby, measured: Int64?) {
        let metadata: Logger.Metadata = [
            "standby": "\(standby.name)", "lag_ms": "\(measured.map(String.init) ?? "unreachable")",
        ]
        if standby.isServing {
            logger.notice("A standby serves reads", metadata: metadata)
        } else {
            logger.warning(
                "A standby serves no reads until it answers and catches up: they go to the primary", metadata: metadata)
        }
    }
}
