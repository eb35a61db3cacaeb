import Foundation
import Logging
import Synchronization
import Testing

@testable import CruddurAPI
@testable import CruddurAuth
@testable import CruddurDomain
@testable import CruddurRuntime
@testable import CruddurStore

@Suite("The feed cache the services keep")
struct FeedCacheTests {
    /// Loads of the real in-memory store's home feed and profiles, counted.
    final class Loads: Sendable {
        let store: CruddurMemoryStore
        let homes = Mutex(0)
        let profiles = Mutex(0)
        let delay: Duration

        init(_ store: CruddurMemoryStore, delay: Duration = .zero) {
            self.store = store
            self.delay = delay
        }

        var homeCount: Int { homes.withLock { $0 } }
        var profileCount: Int { profiles.withLock { $0 } }

        func home(_ cache: FeedCache, readable: [Visibility], page: PageRequest = .init(), now: Date) async throws
            -> RenderedFeedPage
        {
            try await cache.home(readable: readable, page: page, now: now) {
                self.homes.withLock { $0 += 1 }
                if self.delay > .zero { try await Task.sleep(for: self.delay) }
                return await self.store.homeFeed(readable: readable, page: page, now: now, logger: testLogger)
            }
        }

        func profile(_ cache: FeedCache, handle: String, readable: [Visibility], now: Date) async throws
            -> CountedProfile?
        {
            try await cache.profile(handle: handle, readable: readable, now: now) {
                self.profiles.withLock { $0 += 1 }
                return await self.store.profile(handle: handle, readable: readable, now: now, logger: testLogger)
            }
        }
    }

    let everyone = Visibility.readable(signedIn: false)
    let members = Visibility.readable(signedIn: true)

    @Test func repeatedReadsHitTheCachePerVisibility() async throws {
        let loads = Loads(try TestApp.seededStore())
        let cache = FeedCache(ttl: 60)
        let now = Date()
        for _ in 0..<5 {
            _ = try await loads.home(cache, readable: everyone, now: now)
            _ = try await loads.home(cache, readable: members, now: now)
        }
        #expect(loads.homeCount == 2)
        _ = try await loads.home(cache, readable: everyone, page: .init(limit: 5), now: now)
        #expect(loads.homeCount == 3)
        let hit = try await loads.home(cache, readable: everyone, now: now)
        #expect(loads.homeCount == 3)
        #expect(hit.json == ActivityJSON.array(hit.page.items), "a cached page carries its JSON, written once")
    }

    @Test func profilesAreKeptUntilInvalidatedOrTheirFirstCountedCrudExpires() async throws {
        let loads = Loads(try await TestApp.storeWithSignedInUsers())
        let cache = FeedCache(ttl: 3600)
        let now = Date()
        let first = try #require(try await loads.profile(cache, handle: "andrewbrown", readable: everyone, now: now))
        _ = try await loads.profile(cache, handle: "AndrewBrown", readable: everyone, now: now)
        #expect(loads.profileCount == 1, "one key per handle, whatever its case")
        _ = try await loads.profile(cache, handle: "andrewbrown", readable: members, now: now)
        #expect(loads.profileCount == 2, "one per visibility")
        let expiry = try #require(first.countHoldsUntil)
        _ = try await loads.profile(cache, handle: "andrewbrown", readable: everyone, now: expiry)
        #expect(loads.profileCount == 3, "never past the first counted crud's expiry")
        cache.invalidate()
        _ = try await loads.profile(cache, handle: "andrewbrown", readable: everyone, now: now)
        #expect(loads.profileCount == 4, "invalidating drops it")
    }

    /// Through the services, as the server wires them: a crud, a reply and a profile update are each on the
    /// writer's next read at once.
    @Test func everyWriteThroughAServiceIsReadAtOnce() async throws {
        let store = try await TestApp.storeWithSignedInUsers()
        let cache = FeedCache(ttl: 3600)
        let feeds = FeedService(store: store, cache: cache)
        let profiles = ProfileService(store: store, cache: cache)
        let activities = ActivityService(store: store, cache: cache)
        let worf = try #require(await store.user(handle: "worf", logger: testLogger))
        let author = CallerUser(uuid: worf.uuid, handle: worf.handle)
        let caller = CruddurAuth.Caller.anonymous
        _ = try await feeds.home(caller: caller, page: .init(), logger: testLogger)
        let before = try await profiles.profile(handle: "worf", caller: caller, logger: testLogger)

        let crud = try await activities.create(author: author, message: "fresh", ttl: "1-hour", logger: testLogger)
        #expect(
            try await feeds.home(caller: caller, page: .init(), logger: testLogger).page.items.first?.uuid == crud.uuid)
        #expect(
            try await profiles.profile(handle: "worf", caller: caller, logger: testLogger).crudsCount
                == before.crudsCount + 1)

        let reply = try await activities.reply(author: author, to: crud.uuid, message: "again", logger: testLogger)
        let home = try await feeds.home(caller: caller, page: .init(), logger: testLogger)
        #expect(home.page.items.first?.replies.map(\.uuid) == [reply.uuid])

        _ = try await profiles.update(author, displayName: "Worf, son of Mogh", bio: nil, logger: testLogger)
        let renamed = try await feeds.home(caller: caller, page: .init(), logger: testLogger)
        #expect(renamed.page.items.first?.displayName == "Worf, son of Mogh")
    }

    @Test func pagesLiveNoLongerThanTheirTTLOrTheirFirstExpiry() async throws {
        let loads = Loads(try TestApp.seededStore())
        let cache = FeedCache(ttl: 1)
        let now = Date()
        _ = try await loads.home(cache, readable: everyone, now: now)
        _ = try await loads.home(cache, readable: everyone, now: now.addingTimeInterval(0.5))
        #expect(loads.homeCount == 1)
        _ = try await loads.home(cache, readable: everyone, now: now.addingTimeInterval(1.1))
        #expect(loads.homeCount == 2)

        let long = FeedCache(ttl: 86_400)
        let garek = try #require(
            try await loads.home(long, readable: everyone, now: now).page.items.first { $0.handle == "garek" })
        let afterExpiry = garek.expiresAt.addingTimeInterval(1)
        let later = try await loads.home(long, readable: everyone, now: afterExpiry)
        #expect(!later.page.items.contains { $0.uuid == garek.uuid })
    }

    @Test func concurrentMissesShareOneLoad() async throws {
        let loads = Loads(try TestApp.seededStore(), delay: .milliseconds(100))
        let cache = FeedCache(ttl: 60)
        let now = Date()
        let everyone = self.everyone
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask { try await loads.home(cache, readable: everyone, now: now).page.items.count }
            }
            for try await count in group { #expect(count == 5) }
        }
        #expect(loads.homeCount == 1)
    }
}
