import CruddurAPI
import CruddurDomain
import CruddurStore
import Foundation
import Testing

/// The same behaviour from the embedded store and from PostgreSQL.
@Suite("Store behaviour, on both stores", .serialized)
struct StoreBehaviourTests {
    static let kinds: [StoreKind] = PostgresTestDatabase.enabled ? StoreKind.allCases : [.memory]
    let anonymous = Visibility.readable(signedIn: false)
    let members = Visibility.readable(signedIn: true)
    let andrew = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a01")!
    let worf = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a03")!

    @Test(arguments: kinds) func homeShowsUnexpiredTopLevelCrudsByVisibility(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let publicOnly = try await store.homeFeed(readable: anonymous, page: .init(), now: now, logger: testLogger)
            #expect(
                publicOnly.items.map(\.message) == [
                    "Deploying Cruddur on a Friday. What could go wrong?",
                    "Ah, arrogance and stupidity all in the same package. How efficient of you.",
                    "My dear doctor, I am just simple tailor", "Cloud is fun!", "I am out of prune juice",
                ])
            #expect(publicOnly.items.first?.replies.map(\.message) == ["Good luck with that, @bayko."])
            #expect(publicOnly.next == nil)
            let signedIn = try await store.homeFeed(readable: members, page: .init(), now: now, logger: testLogger)
            #expect(signedIn.items.count == 6)
            #expect(signedIn.items.contains { $0.visibility == .members && $0.handle == "lore" })
        }
    }

    @Test(arguments: kinds) func aProfileCountsReadableCrudsAndSaysWhenTheCountChanges(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let soon = now.addingTimeInterval(90)
            let later = now.addingTimeInterval(3600)
            for expiry in [later, soon] {
                _ = try await store.insertActivity(
                    NewActivity(
                        uuid: UUID(), authorUUID: worf, message: "Today is a good day", visibility: .members,
                        expiresAt: expiry, createdAt: now),
                    idempotency: nil, logger: testLogger)
            }
            let signedIn = try #require(
                try await store.profile(handle: "WORF", readable: members, now: now, logger: testLogger))
            let seeded = try await store.activitiesCount(of: worf, readable: anonymous, now: now, logger: testLogger)
            #expect(signedIn.profile.user.handle == "worf")
            #expect(signedIn.profile.crudsCount == seeded + 2)
            let holds = try #require(signedIn.countHoldsUntil)
            #expect(abs(holds.timeIntervalSince(soon)) < 0.001, "the first counted crud to expire is the soon one")
            let anonymousView = try #require(
                try await store.profile(handle: "worf", readable: anonymous, now: now, logger: testLogger))
            #expect(anonymousView.profile.crudsCount == seeded, "members-only cruds are not counted")
            let afterwards = try #require(
                try await store.profile(handle: "worf", readable: members, now: soon, logger: testLogger))
            #expect(afterwards.profile.crudsCount == seeded + 1)
            #expect(try await store.profile(handle: "nobody", readable: members, now: now, logger: testLogger) == nil)
        }
    }

    @Test(arguments: kinds) func pagingAcrossEqualTimestampsLosesNothing(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let instant = Date(timeIntervalSince1970: 1_900_000_000.123456)
            var written: [UUID] = []
            for index in 0..<25 {
                let crud = try await store.insertActivity(
                    NewActivity(
                        authorUUID: worf, message: "tie \(index)", visibility: .public,
                        expiresAt: instant.addingTimeInterval(3600), createdAt: instant),
                    logger: testLogger)
                written.append(crud.uuid)
            }
            var seen: [UUID] = []
            var page = PageRequest(limit: 10, before: FeedCursor(createdAt: instant.addingTimeInterval(1), uuid: nil))
            for _ in 0..<5 {
                let result = try await store.homeFeed(
                    readable: anonymous, page: page, now: instant, logger: testLogger)
                seen += result.items.map(\.uuid)
                guard let next = result.next else { break }
                page.before = next
            }
            #expect(seen.count == 25)
            #expect(Set(seen) == Set(written))
            #expect(seen.map { $0.uuidString.lowercased() } == seen.map { $0.uuidString.lowercased() }.sorted(by: >))
        }
    }

    @Test(arguments: kinds) func hostileStringsAreStoredAndMatchedLiterally(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let hostile = [
                "'; DROP TABLE users; --", "100% sure", "snake_case", #"back\slash"#, "\" OR \"\"=\"", "$1 $2",
            ]
            let now = Date()
            for message in hostile {
                let crud = try await store.insertActivity(
                    NewActivity(
                        authorUUID: andrew, message: message, visibility: .public,
                        expiresAt: now.addingTimeInterval(600), createdAt: now),
                    logger: testLogger)
                #expect(crud.message == message)
            }
            for (term, expected) in [
                ("DROP TABLE", ["'; DROP TABLE users; --"]), ("%", ["100% sure"]), ("_", ["snake_case"]),
                (#"\"#, [#"back\slash"#]), ("' OR '1'='1", []), ("$2", ["$1 $2"]),
            ] {
                let found = try await store.search(
                    term: term, readable: anonymous, page: .init(), now: now.addingTimeInterval(1), logger: testLogger)
                #expect(found.items.map(\.message) == expected, "\(term)")
            }
            let nul = try await Self.search(store, term: "a\u{0}b")
            #expect(nul.items.isEmpty, "a NUL in a search term matches nothing and is no error")
            #expect(try await store.user(handle: "' OR '1'='1", logger: testLogger) == nil)
            #expect(try await store.user(handle: "ANDREWBROWN", logger: testLogger)?.handle == "andrewbrown")
            #expect(try await store.user(handle: "x'; --", logger: testLogger) == nil)
        }
    }

    @Test(arguments: kinds) func repliesBumpTheParentAtomically(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let parent = UUID(uuidString: "68f126b0-1ceb-4a33-88be-d90fa7109eee")!
            let reply = try await store.insertReply(
                NewActivity(
                    authorUUID: worf, message: "Qapla'", visibility: .public, expiresAt: now.addingTimeInterval(60),
                    createdAt: now),
                to: parent, readable: members, now: now, logger: testLogger)
            #expect(reply?.replyToActivityUUID == parent)
            let shown = try await store.activity(parent, readable: anonymous, now: now, logger: testLogger)
            #expect(shown?.repliesCount == 2)
            let replies = try await store.replies(
                to: parent, readable: anonymous, page: .init(), now: now, logger: testLogger)
            #expect(replies.items.reversed().map(\.message) == ["This post has no honor!", "Qapla'"])
            let orphan = UUID()
            let missing = try await store.insertReply(
                NewActivity(
                    uuid: orphan, authorUUID: worf, message: "to nobody", visibility: .public,
                    expiresAt: now.addingTimeInterval(60), createdAt: now),
                to: UUID(), readable: members, now: now, logger: testLogger)
            #expect(missing == nil)
            #expect(try await store.activity(orphan, readable: members, now: now, logger: testLogger) == nil)
            let expiredParent = UUID(uuidString: "9f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c01")!
            let late = try await store.insertReply(
                NewActivity(
                    authorUUID: worf, message: "too late", visibility: .public, expiresAt: now.addingTimeInterval(60),
                    createdAt: now),
                to: expiredParent, readable: members, now: now, logger: testLogger)
            #expect(late == nil)
        }
    }

    @Test(arguments: kinds) func notificationsAreOthersRepliesToMyCruds(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let mine = try await store.notifications(
                for: andrew, readable: members, page: .init(), now: now, logger: testLogger)
            #expect(mine.items.map(\.message) == ["This post has no honor!"])
            let bayko = UUID(uuidString: "2d2a4a8e-6a4f-4b43-9c1c-6c7f3d8c1a02")!
            let baykos = try await store.notifications(
                for: bayko, readable: members, page: .init(), now: now, logger: testLogger)
            #expect(baykos.items.map(\.message) == ["Good luck with that, @bayko."])
        }
    }

    @Test(arguments: kinds) func usersAreProvisionedOnceWithDocumentedHandles(kind: StoreKind) async throws {
        try await kind.withStore { store in
            // An unverified email equal to the seeded user's proves nothing: a new user, never the seeded one.
            let unverified = try await store.provisionUser(
                CognitoProfile(
                    sub: "sub-x", preferredUsername: "andrewbrown", name: "Mallory", email: "andrew@exampro.co",
                    emailVerified: false),
                logger: testLogger)
            #expect(unverified.uuid != andrew)
            #expect(unverified.handle == "andrewbrown_2")
            let claimed = try await store.provisionUser(
                CognitoProfile(
                    sub: "sub-a", preferredUsername: "andrewbrown", name: "Andrew", email: "ANDREW@exampro.co",
                    emailVerified: true),
                logger: testLogger)
            #expect(claimed.uuid == andrew)
            #expect(claimed.handle == "andrewbrown")
            let imposter = try await store.provisionUser(
                CognitoProfile(
                    sub: "sub-b", preferredUsername: "andrewbrown", name: "Other", email: "other@example.com"),
                logger: testLogger)
            #expect(imposter.handle == "andrewbrown_3")
            let third = try await store.provisionUser(
                CognitoProfile(sub: "sub-c", preferredUsername: "AndrewBrown", name: "Third", email: nil),
                logger: testLogger)
            #expect(third.handle == "AndrewBrown_4")
            let concurrent = try await withThrowingTaskGroup(of: UUID.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await store.provisionUser(
                            CognitoProfile(sub: "sub-d", preferredUsername: "dup", name: "Dup", email: nil),
                            logger: testLogger
                        ).uuid
                    }
                }
                return try await group.reduce(into: Set<UUID>()) { $0.insert($1) }
            }
            #expect(concurrent.count == 1)
            #expect(try await store.user(cognitoUserID: "sub-d", logger: testLogger)?.handle == "dup")
        }
    }

    @Test(arguments: kinds) func expiredCrudsNeverShow(kind: StoreKind) async throws {
        try await kind.withStore { store in
            let now = Date()
            let all = try await store.search(
                term: "e", readable: members, page: .init(limit: 100), now: now, logger: testLogger)
            #expect(!all.items.contains { $0.message == "The world is not enough" })
            let later = now.addingTimeInterval(13 * 3600)
            let home = try await store.homeFeed(readable: members, page: .init(), now: later, logger: testLogger)
            #expect(!home.items.contains { $0.handle == "garek" }, "garek's crud expires after 12 hours")
        }
    }

    /// A search through the service, which opens the existential store.
    static func search(_ store: some ActivityStore & UserStore, term: String) async throws -> FeedPage {
        try await FeedService(store: store).search(term: term, caller: .anonymous, page: .init(), logger: testLogger)
    }
}
