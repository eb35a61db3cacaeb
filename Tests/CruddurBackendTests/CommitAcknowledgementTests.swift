import CruddurDomain
import CruddurStore
import Foundation
import PostgresDriver
import Testing

/// A write is acknowledged only once PostgreSQL has committed it. A statement run on its own commits when
/// the server reaches the Sync after it, after it has already sent its rows and CommandComplete: a client
/// that answered at CommandComplete (PostgresNIO did; CI's crash test caught it) would acknowledge, in that
/// gap, a write that is not stored. The driver answers a unit at its Sync's result, after the commit. Deferred constraint triggers fail at exactly that point,
/// at commit time, so they make the gap deterministic: every write must then fail, and store nothing.
@Suite("Writes are acknowledged after their commit", .enabled(if: PostgresTestDatabase.enabled), .serialized)
struct CommitAcknowledgementTests {
    let andrew = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a01")!
    let bayko = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a02")!

    /// Makes every commit that wrote to `tables` fail with a check violation (SQLSTATE 23514).
    static func failCommits(touching tables: [String], configuration: DatabaseConfiguration) async throws {
        try await PostgresDatabase.withSession(configuration, logger: testLogger) { session in
            try session.execute(
                """
                CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'refused at commit' USING ERRCODE = '23514'; END $$
                """)
            for table in tables {
                try session.execute(
                    """
                    CREATE CONSTRAINT TRIGGER refuse_at_commit AFTER INSERT OR UPDATE ON \(table)
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_at_commit()
                    """)
            }
        }
    }

    static func count(_ sql: String, configuration: DatabaseConfiguration) async throws -> Int {
        try await PostgresDatabase.withSession(configuration, logger: testLogger) { session in
            try session.query(sql).decode(Int.self, row: 0, column: 0)
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
