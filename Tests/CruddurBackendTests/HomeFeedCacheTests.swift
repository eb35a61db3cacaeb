import Foundation
import Logging
import Synchronization
import Testing

@testable import CruddurAPI
@testable import CruddurDomain
@testable import CruddurRuntime
@testable import CruddurStore

@Suite("The home feed page cache")
struct HomeFeedCacheTests {
    /// The real in-memory store, counting the home feed queries that reach it.
    final class CountingStore: ActivityStore, UserStore {
        let base: CruddurMemoryStore
        let homeQueries = Mutex(0)
        let profileQueries = Mutex(0)
        let delay: Duration

        init(base: CruddurMemoryStore, delay: Duration = .zero) {
            self.base = base
            self.delay = delay
        }

        var count: Int { homeQueries.withLock { $0 } }

        func homeFeed(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws -> FeedPage {
            homeQueries.withLock { $0 += 1 }
            if delay > .zero { try await Task.sleep(for: delay) }
            return await base.homeFeed(readable: readable, page: page, now: now, logger: logger)
        }

        func notifications(for userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
            async throws -> FeedPage
        { await base.notifications(for: userUUID, readable: readable, page: page, now: now, logger: logger) }

        func userFeed(of userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
            async throws -> FeedPage
        { await base.userFeed(of: userUUID, readable: readable, page: page, now: now, logger: logger) }

        func search(term: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
            async throws -> FeedPage
        { await base.search(term: term, readable: readable, page: page, now: now, logger: logger) }

        func activity(_ uuid: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Activity? {
            await base.activity(uuid, readable: readable, now: now, logger: logger)
        }

        func replies(to parent: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
            async throws -> FeedPage
        { await base.replies(to: parent, readable: readable, page: page, now: now, logger: logger) }

        func insertActivity(_ activity: NewActivity, idempotency: IdempotencyKey?, logger: Logger) async throws
            -> Activity
        { try await base.insertActivity(activity, idempotency: idempotency, logger: logger) }

        func insertReply(
            _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, idempotency: IdempotencyKey?,
            logger: Logger
        ) async throws -> Activity? {
            try await base.insertReply(
                reply, to: parent, readable: readable, now: now, idempotency: idempotency, logger: logger)
        }

        func profile(handle: String, readable: [Visibility], now: Date, logger: Logger) async throws
            -> CountedProfile?
        {
            profileQueries.withLock { $0 += 1 }
            return await base.profile(handle: handle, readable: readable, now: now, logger: logger)
        }

        func checkHealth(logger: Logger) async -> DependencyState { .memory }
        func user(handle: String, logger: Logger) async throws -> User? {
            await base.user(handle: handle, logger: logger)
        }
        func user(cognitoUserID: String, logger: Logger) async throws -> User? {
            await base.user(cognitoUserID: cognitoUserID, logger: logger)
        }
        func provisionUser(_ profile: CognitoProfile, logger: Logger) async throws -> User {
            await base.provisionUser(profile, logger: logger)
        }
        func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) async throws -> User? {
            await base.updateProfile(user, update, logger: logger)
        }
        func activitiesCount(of userUUID: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Int {
            await base.activitiesCount(of: userUUID, readable: readable, now: now, logger: logger)
        }
    }

    let everyone = Visibility.readable(signedIn: false)
    let members = Visibility.readable(signedIn: true)

    @Test func repeatedReadsHitTheCachePerVisibility() async throws {
        let counting = CountingStore(base: try TestApp.seededStore())
        let cache = HomeFeedCache(base: counting, ttl: 60)
        let now = Date()
        for _ in 0..<5 {
            _ = try await cache.homeFeed(readable: everyone, page: .init(), now: now, logger: testLogger)
            _ = try await cache.homeFeed(readable: members, page: .init(), now: now, logger: testLogger)
        }
        #expect(counting.count == 2)
        _ = try await cache.homeFeed(readable: everyone, page: .init(limit: 5), now: now, logger: testLogger)
        #expect(counting.count == 3)
        let hit = try await cache.renderedHome(readable: everyone, page: .init(), now: now, logger: testLogger)
        #expect(counting.count == 3, "the rendered page is the cached one")
        #expect(hit.json == ActivityJSON.array(hit.page.items), "a cached page carries its JSON, written once")
    }

    @Test func profilesAreKeptUntilAWriteOrTheirFirstCountedCrudExpires() async throws {
        let counting = CountingStore(base: try await TestApp.storeWithSignedInUsers())
        let cache = HomeFeedCache(base: counting, ttl: 3600)
        let now = Date()
        let first = try #require(
            try await cache.profile(handle: "andrewbrown", readable: everyone, now: now, logger: testLogger))
        _ = try await cache.profile(handle: "AndrewBrown", readable: everyone, now: now, logger: testLogger)
        #expect(counting.profileQueries.withLock { $0 } == 1, "one key per handle, whatever its case")
        _ = try await cache.profile(handle: "andrewbrown", readable: members, now: now, logger: testLogger)
        #expect(counting.profileQueries.withLock { $0 } == 2, "one per visibility")
        let expiry = try #require(first.countHoldsUntil)
        _ = try await cache.profile(handle: "andrewbrown", readable: everyone, now: expiry, logger: testLogger)
        #expect(counting.profileQueries.withLock { $0 } == 3, "never past the first counted crud's expiry")
        _ = try await cache.insertActivity(
            NewActivity(
                uuid: UUID(), authorUUID: first.profile.user.uuid, message: "Cloud again", visibility: .public,
                expiresAt: now.addingTimeInterval(60), createdAt: now),
            idempotency: nil, logger: testLogger)
        let after = try #require(
            try await cache.profile(handle: "andrewbrown", readable: everyone, now: now, logger: testLogger))
        #expect(counting.profileQueries.withLock { $0 } == 4, "a write drops the cache")
        #expect(after.profile.crudsCount == first.profile.crudsCount + 1)
    }

    @Test func aWriteIsVisibleAtOnce() async throws {
        let counting = CountingStore(base: try await TestApp.storeWithSignedInUsers())
        let cache = HomeFeedCache(base: counting, ttl: 60)
        let now = Date()
        _ = try await cache.homeFeed(readable: everyone, page: .init(), now: now, logger: testLogger)
        let author = try #require(try await cache.user(handle: "worf", logger: testLogger))
        let crud = try await cache.insertActivity(
            NewActivity(
                authorUUID: author.uuid, message: "fresh", visibility: .public, expiresAt: now.addingTimeInterval(60),
                createdAt: now.addingTimeInterval(1)),
            logger: testLogger)
        let page = try await cache.homeFeed(
            readable: everyone, page: .init(), now: now.addingTimeInterval(2), logger: testLogger)
        #expect(page.items.first?.uuid == crud.uuid)
    }

    @Test func pagesLiveNoLongerThanTheirTTLOrTheirFirstExpiry() async throws {
        let counting = CountingStore(base: try TestApp.seededStore())
        let cache = HomeFeedCache(base: counting, ttl: 1)
        let now = Date()
        _ = try await cache.homeFeed(readable: everyone, page: .init(), now: now, logger: testLogger)
        _ = try await cache.homeFeed(
            readable: everyone, page: .init(), now: now.addingTimeInterval(0.5), logger: testLogger)
        #expect(counting.count == 1)
        _ = try await cache.homeFeed(
            readable: everyone, page: .init(), now: now.addingTimeInterval(1.1), logger: testLogger)
        #expect(counting.count == 2)

        let long = HomeFeedCache(base: counting, ttl: 86_400)
        let garek = try #require(
            try await long.homeFeed(readable: everyone, page: .init(), now: now, logger: testLogger).items
                .first { $0.handle == "garek" })
        let afterExpiry = garek.expiresAt.addingTimeInterval(1)
        let later = try await long.homeFeed(readable: everyone, page: .init(), now: afterExpiry, logger: testLogger)
        #expect(!later.items.contains { $0.uuid == garek.uuid })
    }

    @Test func concurrentMissesShareOneQuery() async throws {
        let counting = CountingStore(base: try TestApp.seededStore(), delay: .milliseconds(100))
        let cache = HomeFeedCache(base: counting, ttl: 60)
        let now = Date()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await cache.homeFeed(readable: everyone, page: .init(), now: now, logger: testLogger).items
                        .count
                }
            }
            for try await count in group { #expect(count == 5) }
        }
        #expect(counting.count == 1)
    }
}
