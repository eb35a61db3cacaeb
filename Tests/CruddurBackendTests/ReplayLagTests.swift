import CruddurStore
import Testing

@Suite("A standby's replay lag, from WAL positions")
struct ReplayLagTests {
    let second: UInt64 = 1_000_000_000

    @Test func aStandbyLagsByTheAgeOfTheOldestPositionItHasNotReplayed() {
        var lag = ReplayLag()
        lag.record(primary: 100, at: 10 * second)
        lag.record(primary: 200, at: 11 * second)
        lag.record(primary: 300, at: 12 * second)
        #expect(lag.lag(replayed: 300, now: 13 * second) == 0)
        #expect(lag.lag(replayed: 250, now: 13 * second) == 1 * second)
        #expect(lag.lag(replayed: 150, now: 13 * second) == 2 * second)
        #expect(lag.lag(replayed: 50, now: 13 * second) == 3 * second)
    }

    @Test func anIdlePrimaryMakesNoLagAndAPausedStandbyLagsMoreEachProbe() {
        var lag = ReplayLag()
        lag.record(primary: 100, at: 1 * second)
        for probe in 2...20 { lag.record(primary: 100, at: UInt64(probe) * second) }
        #expect(lag.lag(replayed: 100, now: 20 * second) == 0)
        lag.record(primary: 101, at: 21 * second)
        #expect(lag.lag(replayed: 100, now: 21 * second) == 0)
        #expect(lag.lag(replayed: 100, now: 22 * second) == 1 * second)
        #expect(lag.lag(replayed: 100, now: 25 * second) == 4 * second)
    }

    @Test func aStandbyBehindTheWholeWindowReadsAsTheWindow() {
        var lag = ReplayLag(windowNanoseconds: 10 * second)
        for probe in 0...100 { lag.record(primary: Int64(probe), at: UInt64(probe) * second) }
        #expect(lag.lag(replayed: 0, now: 100 * second) == 10 * second)
        #expect(lag.lag(replayed: 95, now: 100 * second) == 4 * second)
    }

    @Test func aPrimaryBehindTheLastPositionIsANewPrimaryAndItsPredecessorsPositionsAreForgotten() {
        var lag = ReplayLag()
        lag.record(primary: 1000, at: 1 * second)
        // Promoted: the standby had replayed up to 900; the old primary's last 100 bytes are gone with it.
        lag.record(primary: 950, at: 3 * second)
        #expect(lag.lag(replayed: 950, now: 4 * second) == 0)
        #expect(lag.lag(replayed: 900, now: 4 * second) == 1 * second)
    }
}
