import Foundation
import Logging
import PostgresDriver
import Testing

/// The libpq driver against the real PostgreSQL of `TEST_DATABASE_URL`: values, pipelining across callers,
/// failures that stay with their caller, lost connections and multi-host URLs.
@Suite(.enabled(if: PostgresTestDatabase.enabled), .serialized)
struct PostgresDriverTests {
    static func options() throws -> PostgresConnectionOptions {
        let url = try #require(ProcessInfo.processInfo.environment["TEST_DATABASE_URL"])
        return try PostgresConnectionOptions(url: url)
    }

    static func withPool<T>(size: Int = 2, stall: Duration = .seconds(3), _ body: (PostgresPool) async throws -> T)
        async throws -> T
    {
        let pool = PostgresPool(
            options: try options(), size: size, stallTimeout: stall, logger: PostgresTestDatabase.logger)
        do {
            let result = try await body(pool)
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }

    /// Binds `value` as `$1`, reads it back as `Value` and as PostgreSQL's text.
    static func roundTrip<Value: PostgresEncodable & PostgresDecodable>(
        _ value: Value?, as type: String, pool: PostgresPool
    ) async throws -> (Value?, String?) {
        var parameters = PostgresParameters()
        parameters.append(value)
        let result = try await pool.query(PostgresStatement("SELECT $1::\(type), $1::\(type)::text", parameters))
        return (try result.decode(Value?.self, row: 0, column: 0), try result.decode(String?.self, row: 0, column: 1))
    }

    /// Checks that `value` reads back as `read` and, when given, as PostgreSQL's text `text`.
    static func check<Value: PostgresEncodable & PostgresDecodable & Equatable>(
        _ value: Value?, as type: String, read: Value?, text: String?? = .none, pool: PostgresPool,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let (decoded, asText) = try await roundTrip(value, as: type, pool: pool)
        #expect(decoded == read, sourceLocation: sourceLocation)
        if let text { #expect(asText == text, sourceLocation: sourceLocation) }
    }

    @Test func everyTypeRoundTripsNullsIncluded() async throws {
        try await Self.withPool { pool in
            for value: Int16 in [.min, -1, 0, 1, .max] {
                try await Self.check(value, as: "int2", read: value, text: "\(value)", pool: pool)
            }
            for value: Int32 in [.min, -1, 0, 1, .max] {
                try await Self.check(value, as: "int4", read: value, text: "\(value)", pool: pool)
            }
            for value: Int64 in [.min, -1, 0, 1, .max] {
                try await Self.check(value, as: "int8", read: value, text: "\(value)", pool: pool)
            }
            for value in [true, false] {
                try await Self.check(value, as: "bool", read: value, text: value ? "true" : "false", pool: pool)
            }
            for value in [
                "", "crud", "e\u{301} 👩‍👩‍👧 \u{10FFFF}", String(repeating: "x", count: 100_000), "'; DROP TABLE x; --",
            ] {
                try await Self.check(value, as: "text", read: value, text: value, pool: pool)
            }
            for value in [
                UUID(), UUID(uuidString: "00000000-0000-0000-0000-000000000000")!,
                UUID(uuidString: "ffffffff-ffff-ffff-ffff-ffffffffffff")!,
            ] {
                try await Self.check(value, as: "uuid", read: value, text: value.uuidString.lowercased(), pool: pool)
            }
            for value: Double in [0, -1.5, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .infinity] {
                try await Self.check(value, as: "float8", read: value, pool: pool)
            }
            try await Self.check(Float(0.25), as: "float4", read: 0.25, pool: pool)
            try await Self.check(
                Data([0, 1, 255]), as: "bytea", read: Data([0, 1, 255]), text: "\\x0001ff", pool: pool)
            for value in [[String](), ["a"], ["", "b,c", "\"q\"", "NULL", "ü"]] {
                try await Self.check(value, as: "text[]", read: value, pool: pool)
            }
            try await Self.check([Int64.min, 0, .max], as: "int8[]", read: [Int64.min, 0, .max], pool: pool)
            let uuids = [UUID(), UUID()]
            try await Self.check(uuids, as: "uuid[]", read: uuids, pool: pool)

            // NULL of every type comes back as nil.
            try await Self.check(Int64?.none, as: "int8", read: nil, text: .some(nil), pool: pool)
            try await Self.check(String?.none, as: "text", read: nil, text: .some(nil), pool: pool)
            try await Self.check(UUID?.none, as: "uuid", read: nil, pool: pool)
            try await Self.check(Date?.none, as: "timestamptz", read: nil, pool: pool)
            try await Self.check([String]?.none, as: "text[]", read: nil, pool: pool)
            try await Self.check(Bool?.none, as: "bool", read: nil, pool: pool)
            try await Self.check(Data?.none, as: "bytea", read: nil, pool: pool)
        }
    }

    @Test func timestampsKeepTheirMicrosecondAndTheirEdges() async throws {
        try await Self.withPool { pool in
            let micro = Date(timeIntervalSince1970: 1_700_000_000.123456)
            let (read, _) = try await Self.roundTrip(micro, as: "timestamptz", pool: pool)
            #expect(abs(try #require(read).timeIntervalSince(micro)) < 0.000_001)
            for date in [
                Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 946_684_800),
                Date(timeIntervalSince1970: -62_135_596_800), Date(timeIntervalSince1970: 253_402_300_799),
            ] {
                try await Self.check(date, as: "timestamptz", read: date, pool: pool)
            }
            let edges = try await pool.query(
                PostgresStatement("SELECT 'infinity'::timestamptz, '-infinity'::timestamptz"))
            #expect(try edges.decode(Date.self, row: 0, column: 0) == .distantFuture)
            #expect(try edges.decode(Date.self, row: 0, column: 1) == .distantPast)
            // Past what PostgreSQL stores: refused with its own error, not a trap in the process.
            var far = PostgresParameters()
            far.append(Date(timeIntervalSince1970: 1e300))
            await #expect {
                try await pool.query(PostgresStatement("SELECT $1::timestamptz", far))
            } throws: { ($0 as? PostgresError)?.sqlState == "22008" }
        }
    }

    @Test func aValueOfTheWrongTypeOrANullIsADecodingError() async throws {
        try await Self.withPool { pool in
            let result = try await pool.query(PostgresStatement("SELECT 1::int4, NULL::text"))
            #expect(throws: PostgresError.self) { try result.decode(UUID.self, row: 0, column: 0) }
            #expect(throws: PostgresError.self) { try result.decode(String.self, row: 0, column: 1) }
            #expect(throws: PostgresError.self) { try result.decode(Int.self, row: 1, column: 0) }
            #expect(try result.decode(Int.self, row: 0, column: 0) == 1)
            // A NUL is not text to PostgreSQL: refused as a value, SQLSTATE class 22.
            var nul = PostgresParameters()
            nul.append("a\u{0}b")
            await #expect {
                try await pool.query(PostgresStatement("SELECT $1::text", nul))
            } throws: { ($0 as? PostgresError)?.sqlState?.hasPrefix("22") == true }
        }
    }

    @Test func oneCallersFailingStatementInABatchOf64FailsThatCallerOnly() async throws {
        try await Self.withPool(size: 1) { pool in
            let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
                for caller in 0..<64 {
                    group.addTask {
                        var parameters = PostgresParameters()
                        parameters.append(caller)
                        // Caller 17 divides by zero; the others read their own number back, prepared.
                        let sql = caller == 17 ? "SELECT 1 / ($1::int8 - 17)" : "SELECT $1::int8 * 2"
                        let name = caller == 17 ? nil : "double"
                        do {
                            let result = try await pool.run([
                                PostgresStatement(sql, prepared: name, parameters),
                                PostgresStatement("SELECT $1::int8 + 1", prepared: "plus_one", parameters),
                            ])
                            return (caller, .success(try result[0].decode(Int.self, row: 0, column: 0)))
                        } catch {
                            return (caller, .failure(error))
                        }
                    }
                }
                var outcomes: [Int: Result<Int, any Error>] = [:]
                for await (caller, outcome) in group { outcomes[caller] = outcome }
                return outcomes
            }
            for (caller, outcome) in outcomes {
                switch outcome {
                case .success(let doubled): #expect(caller != 17 && doubled == caller * 2)
                case .failure(let error): #expect(caller == 17 && (error as? PostgresError)?.sqlState == "22012")
                }
            }
        }
    }

    @Test func aUnitCommitsWholeOrNotAtAll() async throws {
        try await Self.withPool { pool in
            let table = "driver_unit_\(UInt32.random(in: 0...UInt32.max))"
            _ = try await pool.query(PostgresStatement("CREATE TABLE \(table) (id int PRIMARY KEY)"))
            await #expect(throws: PostgresError.self) {
                try await pool.run([
                    PostgresStatement("INSERT INTO \(table) VALUES (1)"),
                    PostgresStatement("INSERT INTO \(table) VALUES (1)"),
                ])
            }
            _ = try await pool.run([
                PostgresStatement("INSERT INTO \(table) VALUES (2)"),
                PostgresStatement("INSERT INTO \(table) VALUES (3)"),
            ])
            let rows = try await pool.query(
                PostgresStatement("SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM \(table)"))
            #expect(try rows.decode([Int32].self, row: 0, column: 0) == [2, 3])
            _ = try await pool.query(PostgresStatement("DROP TABLE \(table)"))
        }
    }

    @Test func aUnitOf10000StatementsWith8KiBParametersCompletes() async throws {
        try await Self.withPool(size: 1) { pool in
            let large = String(repeating: "é", count: 4096)  // 8 KiB of UTF-8
            let statements = (0..<10_000).map { index in
                var parameters = PostgresParameters()
                parameters.append(large)
                parameters.append(index)
                return PostgresStatement("SELECT octet_length($1::text) + $2::int8", prepared: "large", parameters)
            }
            let results = try await pool.run(statements)
            #expect(results.count == 10_000)
            #expect(try results.enumerated().allSatisfy { try $1.decode(Int.self, row: 0, column: 0) == 8192 + $0 })
        }
    }

    @Test func aTerminatedConnectionFailsOnlyItsCallersAndThePoolRecovers() async throws {
        try await Self.withPool(size: 1) { pool in
            let pid = try await pool.query(PostgresStatement("SELECT pg_backend_pid()")).decode(
                Int32.self, row: 0, column: 0)
            let sleeping = Task { try await pool.query(PostgresStatement("SELECT pg_sleep(5)")) }
            try await Task.sleep(for: .milliseconds(200))
            var parameters = PostgresParameters()
            parameters.append(pid)
            let bound = parameters
            _ = try await PostgresSession.with(try Self.options(), connectTimeout: .seconds(3)) { session in
                try session.query("SELECT pg_terminate_backend($1::int4)", bound)
            }
            await #expect {
                _ = try await sleeping.value
            } throws: { ($0 as? PostgresError)?.isUnavailability == true }
            // The pool reconnects in the background and prepares statements again.
            var answered: Int?
            for _ in 0..<50 where answered == nil {
                answered = try? await pool.query(PostgresStatement("SELECT 41 + 1", prepared: "answer")).decode(
                    Int.self, row: 0, column: 0)
                if answered == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(answered == 42)
        }
    }

    @Test func aMultiHostURLWhoseFirstHostIsDownConnectsToTheSecond() async throws {
        let settings = try Self.options().settings
        let url =
            "postgresql://\(settings["user"] ?? "postgres")@127.0.0.1:1,\(settings["host"] ?? "127.0.0.1"):\(settings["port"] ?? "5432")/\(settings["dbname"] ?? "postgres")"
        let pool = PostgresPool(
            options: try PostgresConnectionOptions(url: url), size: 1, stallTimeout: .seconds(3),
            logger: PostgresTestDatabase.logger)
        defer { Task { await pool.close() } }
        var answered: Int?
        for _ in 0..<50 where answered == nil {
            answered = try? await pool.query(PostgresStatement("SELECT 7")).decode(Int.self, row: 0, column: 0)
            if answered == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(answered == 7)
    }

    @Test func anUnreachableDatabaseFailsCallsAtOnceNotAfterATimeout() async throws {
        let pool = PostgresPool(
            options: try PostgresConnectionOptions(url: "postgresql://postgres@127.0.0.1:1/postgres"), size: 2,
            stallTimeout: .seconds(3), logger: PostgresTestDatabase.logger)
        defer { Task { await pool.close() } }
        let started = ContinuousClock.now
        await #expect { _ = try await pool.query(PostgresStatement("SELECT 1")) } throws: {
            ($0 as? PostgresError)?.kind == .connect
        }
        #expect(ContinuousClock.now - started < .seconds(1))
    }

    @Test func aBadURLIsRefusedWithLibpqsReason() {
        #expect(throws: PostgresError.self) { try PostgresConnectionOptions(url: "postgresql://host:notaport/db?x=1") }
        #expect(throws: PostgresError.self) { try PostgresConnectionOptions(url: "nonsense=") }
    }

    @Test func aCancelledCallerIsAnsweredAtOnceAndTheConnectionGoesOn() async throws {
        try await Self.withPool(size: 1) { pool in
            let slow = Task { try await pool.query(PostgresStatement("SELECT pg_sleep(1)")) }
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            slow.cancel()
            await #expect(throws: CancellationError.self) { try await slow.value }
            #expect(ContinuousClock.now - started < .milliseconds(200))
            let three = try await pool.query(PostgresStatement("SELECT 3")).decode(Int.self, row: 0, column: 0)
            #expect(three == 3)
        }
    }

    @Test func aUnitPastItsDeadlineIsAnsweredThenAndTheConnectionGoesOn() async throws {
        try await Self.withPool(size: 1) { pool in
            let started = ContinuousClock.now
            await #expect {
                try await pool.bounded(by: .milliseconds(200)).query(PostgresStatement("SELECT pg_sleep(1)"))
            } throws: { ($0 as? PostgresError)?.kind == .timeout && ($0 as? PostgresError)?.isUnavailability == true }
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(200) && waited < .milliseconds(400), "\(waited)")
            // Queued behind the slow statement, answered once it is done.
            let four = try await pool.query(PostgresStatement("SELECT 4")).decode(Int.self, row: 0, column: 0)
            #expect(four == 4)
            // A deadline already past: answered without being sent.
            await #expect {
                try await pool.bounded(by: .zero).query(PostgresStatement("SELECT 5"))
            } throws: { ($0 as? PostgresError)?.kind == .timeout }
        }
    }

    @Test func aSessionListensForNotifications() async throws {
        let channels = try await PostgresSession.with(try Self.options(), connectTimeout: .seconds(3)) { session in
            try session.execute("LISTEN driver_test")
            try session.execute("NOTIFY driver_test")
            return try session.notifications(timeout: .seconds(2))
        }
        #expect(channels == ["driver_test"])
    }
}
