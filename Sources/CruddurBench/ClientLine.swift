import Foundation
import Logging
import PostgresDriver

/// The client line of `bench/run`: `SELECT 1`, prepared, from `tasks` concurrent tasks through the driver's
/// pool for `seconds`, beside `pgbench -M prepared` of the same statement. Statements per second, and the
/// process's CPU (user + system, `getrusage`) per statement: what the driver costs the server per statement.
enum ClientLine {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    static func run(url: String, seconds: Double, tasks: Int, connections: Int) async throws -> [String: Double] {
        let pool = PostgresPool(
            options: try PostgresConnectionOptions(url: url), size: connections, stallTimeout: .seconds(3),
            logger: .init(label: "bench"))
        let statement = PostgresStatement("SELECT 1", prepared: "one")
        _ = try await pool.query(statement)
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = started + .milliseconds(Int(seconds * 1000))
        let cpu = cpuSeconds()
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<tasks {
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        let result = try await pool.query(statement)
                        let one = try result.decode(Int32.self, row: 0, column: 0)
                        precondition(one == 1)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = clock.now - started
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let used = cpuSeconds() - cpu
        await pool.close()
        return [
            "statements_per_second": (Double(total) / wall).rounded(),
            "cpu_us_per_statement": (used / Double(total) * 1e7).rounded() / 10,
            "cores": (used / wall * 100).rounded() / 100,
        ]
    }
}
