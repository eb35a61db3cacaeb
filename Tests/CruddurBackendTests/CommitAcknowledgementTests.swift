import CruddurDomain
import CruddurStore
import Foundation
import PostgresNIO
import Testing

/// A write is acknowledged only once PostgreSQL has committed it. A statement run on its own commits when
/// the server reaches the Sync after it, after it has already sent its rows and CommandComplete, and
/// PostgresNIO ends the row sequence at CommandComplete: a crash in that gap (CI's crash test caught one)
/// would acknowledge a write that is not stored. Deferred constraint triggers fail at exactly that point,
/// at commit time, so they make the gap deterministic: every write must then fail, and store nothing.
@Suite("Writes are acknowledged after their commit", .enabled(if: PostgresTestDatabase.enabled), .serialized)
struct CommitAcknowledgementTests {
    let andrew = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a01")!
    let bayko = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a02")!

    /// Makes every commit that wrote to `tables` fail with a check violation (SQLSTATE 23514).
    static func failCommits(touching tables: [String], configuration: DatabaseConfiguration) async throws {
        try await PostgresDatabase.withConnection(configuration, logger: testLogger) { connection in
            try await connection.query(
                """
                CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END $$
                """, logger: testLogger)
            for table in tables {
                try await connection.query(
                    PostgresQuery(
                        unsafeSQL: """
                            CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT OR UPDATE ON \(table)
                            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()
                            """), logger: testLogger)
            }
        }
    }

    static func count(_ sql: String, configuration: DatabaseConfiguration) async throws -> Int {
        try await PostgresDatabase.withConnection(configuration, logger: testLogger) { connection in
            var count = -1
            for try await (value, ) in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: testLogger)
                .decode((Int,).self)
            {
                count = value
            }
            return count
        }
    }

    @Test func aWriteRefusedAtCommitIsNeitherAcknowledgedNorStored() async throws {
        try await PostgresTestDatabase.withStore(seed: StoreKind.seed) { store, configuration in
            let now = Date()
            let parent = try await store.insertActivity(
                NewActivity(
                    uuid: UUID(), authorUUID: andrew, message: "before", visibility: .public,
                    expiresAt: now.addingTimeInterval(600), createdAt: now), logger: testLogger)
            try await Self.failCommits(touching: ["activities", "messages", "users"], configuration: configuration)
            let crud = NewActivity(
                uuid: UUID(), authorUUID: andrew, message: "refused", visibility: .public,
                expiresAt: now.addingTimeInterval(600), createdAt: now)
            let key = IdempotencyKey(key: "commit-1", request: ["create", "refused"])!
            await #expect(throws: StoreError.rejectedValue(sqlState: "23514")) {
                try await store.insertActivity(crud, idempotency: key, logger: testLogger)
            }
            await #expect(throws: StoreError.rejectedValue(sqlState: "23514")) {
                try await store.insertReply(
                    crud, to: parent.uuid, readable: Visibility.readable(signedIn: true), now: now,
                    logger: testLogger)
            }
            await #expect(throws: StoreError.rejectedValue(sqlState: "23514")) {
                try await store.writeMessage(
                    NewMessage(authorUUID: andrew, recipient: .user(bayko), message: "refused", createdAt: now),
                    logger: testLogger)
            }
            await #expect(throws: StoreError.rejectedValue(sqlState: "23514")) {
                try await store.updateProfile(
                    andrew, ProfileUpdate(displayName: "Refused", bio: nil), logger: testLogger)
            }
            await #expect(throws: StoreError.rejectedValue(sqlState: "23514")) {
                try await store.provisionUser(
                    CognitoProfile(sub: "refused-sub", preferredUsername: "refused", name: "Refused", email: nil),
                    logger: testLogger)
            }
            let stored = try await Self.count(
                """
                SELECT (SELECT count(*) FROM activities WHERE message = 'refused')
                     + (SELECT count(*) FROM idempotency_keys)
                     + (SELECT count(*) FROM messages WHERE message = 'refused')
                     + (SELECT count(*) FROM users WHERE display_name = 'Refused' OR cognito_user_id = 'refused-sub')
                     + (SELECT replies_count FROM activities WHERE message = 'before')
                """, configuration: configuration)
            #expect(stored == 0)
        }
    }
}
