/// How far a standby's replay is behind the primary, in time, from positions alone.
///
/// The primary's WAL position is sampled every probe (``record(primary:at:)``); a standby's replay position
/// is then compared with those samples: the standby lags by the age of the oldest sample it has not replayed
/// yet, and by nothing when it has replayed the newest. Unlike `now() - pg_last_xact_replay_timestamp()`,
/// this does not grow while the primary is idle, and unlike a byte difference it is in the unit of
/// `REPLICA_MAX_LAG_MS`. Its resolution is one probe interval.
public struct ReplayLag: Sendable {
    struct Sample {
        let position: Int64
        let nanoseconds: UInt64
    }

    /// Samples oldest first, strictly increasing positions, spanning at most ``window``.
    private var samples: [Sample] = []
    /// The longest lag told apart: a standby further behind is reported as this far.
    public let window: UInt64

    public init(windowNanoseconds: UInt64 = 60_000_000_000) {
        window = windowNanoseconds
    }

    /// The primary was at WAL `position` at monotonic time `nanoseconds`. A position behind the last one means
    /// another server is primary now (a promoted standby, which may not have had the old primary's last WAL):
    /// the old primary's positions say nothing about it, so they are forgotten.
    public mutating func record(primary position: Int64, at nanoseconds: UInt64) {
        if let last = samples.last {
            if last.position == position { return }
            if last.position > position { samples.removeAll() }
        }
        samples.append(Sample(position: position, nanoseconds: nanoseconds))
        let horizon = nanoseconds > window ? nanoseconds - window : 0
        // Keep one sample older than the window, so a standby further behind still reads as the whole window.
        if let keep = samples.firstIndex(where: { $0.nanoseconds >= horizon }), keep > 1 {
            samples.removeFirst(keep - 1)
        }
    }

    /// How far behind, in nanoseconds at `now`, a standby that has replayed up to `replayed` is.
    public func lag(replayed: Int64, now: UInt64) -> UInt64 {
        guard let oldest = samples.first(where: { $0.position > replayed }) else { return 0 }
        return min(now >= oldest.nanoseconds ? now - oldest.nanoseconds : 0, window)
    }
}
