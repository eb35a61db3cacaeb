import CruddurDomain
import CruddurRuntime
import CruddurStore
import Foundation
import Synchronization

/// A short-lived cache of home feed pages, already written as JSON, and of profiles with their crud counts. The
/// home feed is the same for every caller who may read the same visibilities, so under load most requests read
/// one of a few pages; a profile is the same for every caller of a visibility.
///
/// The services own it: ``FeedService`` and ``ProfileService`` read through it, and every write through a service
/// calls ``invalidate()``, so a poster sees their crud at once; so do the store's notifications of writes made by
/// other replicas (`FeedCacheInvalidation`), else those show within `ttl`. A page is kept for at most `ttl`, never
/// past the moment its first crud (or reply) expires. Concurrent misses for one page share a single load.
public final class FeedCache: Sendable {
    struct Key: Hashable {
        let readable: [Visibility]
        let limit: Int
        let beforeMicros: Int64?
        let beforeUUID: UUID?
    }

    enum Slot {
        case ready(RenderedFeedPage, validUntil: Date)
        case loading(Task<FeedPage, any Error>)
    }

    struct State {
        var slots: [Key: Slot] = [:]
        var profiles: [ProfileKey: (profile: CountedProfile, validUntil: Date)] = [:]
        var generation = 0
    }

    struct ProfileKey: Hashable {
        let handle: String
        let readable: [Visibility]
    }

    enum Lookup {
        case hit(RenderedFeedPage)
        case wait(Task<FeedPage, any Error>, isOwner: Bool, generation: Int)
    }

    let ttl: TimeInterval
    let capacity: Int
    let state: Mutex<State>

    public init(ttl: TimeInterval, capacity: Int = 256) {
        self.ttl = ttl
        self.capacity = capacity
        self.state = Mutex(State())
    }

    /// The home page for `readable` callers, with its items written as JSON once for every request that
    /// serves it; `load` reads it from the store on a miss.
    func home(
        readable: [Visibility], page: PageRequest, now: Date,
        load: @escaping @Sendable () async throws -> FeedPage
    ) async throws -> RenderedFeedPage {
        let key = Key(
            readable: readable, limit: page.limit, beforeMicros: page.before?.createdAtMicros,
            beforeUUID: page.before?.uuid)
        let lookup: Lookup = state.withLock { state in
            switch state.slots[key] {
            case .ready(let page, let validUntil) where validUntil > now:
                return .hit(page)
            case .loading(let task):
                return .wait(task, isOwner: false, generation: state.generation)
            default:
                if state.slots.count >= capacity { state.slots.removeAll(keepingCapacity: true) }
                let task = Task { try await load() }
                state.slots[key] = .loading(task)
                return .wait(task, isOwner: true, generation: state.generation)
            }
        }
        switch lookup {
        case .hit(let page):
            CruddurMetrics.feedCache(hit: true)
            return page
        case .wait(let task, let isOwner, let generation):
            CruddurMetrics.feedCache(hit: !isOwner)
            do {
                let result = try await task.value
                return isOwner
                    ? store(result, for: key, loadedAt: now, generation: generation) : RenderedFeedPage(result)
            } catch {
                if isOwner { state.withLock { _ = $0.slots.removeValue(forKey: key) } }
                throw error
            }
        }
    }

    /// Keeps `page`, written as JSON once for every request that will serve it, and returns it.
    func store(_ page: FeedPage, for key: Key, loadedAt now: Date, generation: Int) -> RenderedFeedPage {
        let rendered = RenderedFeedPage(page)
        let firstExpiry = page.items.flatMap { [$0.expiresAt] + $0.replies.map(\.expiresAt) }.min()
        let validUntil = min(now.addingTimeInterval(ttl), firstExpiry ?? .distantFuture)
        state.withLock { state in
            // A write since the load started may be missing from this page: do not keep it.
            guard state.generation == generation else {
                state.slots.removeValue(forKey: key)
                return
            }
            state.slots[key] = .ready(rendered, validUntil: validUntil)
        }
        return rendered
    }

    /// A user's profile and crud count, kept like a page: for at most `ttl`, never past the moment the first
    /// counted crud expires, dropped on every write. Counting is the part of a user's page that grows with
    /// the user's cruds; under load it runs about once per `ttl` per user and visibility.
    func profile(
        handle: String, readable: [Visibility], now: Date, load: () async throws -> CountedProfile?
    ) async throws -> CountedProfile? {
        let key = ProfileKey(handle: handle.lowercased(), readable: readable)
        let (cached, generation) = state.withLock { state in
            (state.profiles[key].flatMap { $0.validUntil > now ? $0.profile : nil }, state.generation)
        }
        if let cached { return cached }
        guard let loaded = try await load() else { return nil }
        let validUntil = min(now.addingTimeInterval(ttl), loaded.countHoldsUntil ?? .distantFuture)
        state.withLock { state in
            // A write since the load started may be missing from this count: do not keep it.
            guard state.generation == generation, validUntil > now else { return }
            if state.profiles.count >= capacity { state.profiles.removeAll(keepingCapacity: true) }
            state.profiles[key] = (loaded, validUntil)
        }
        return loaded
    }

    /// Drops every cached page and profile: called after every write, here or (through the store's
    /// notifications) on another replica.
    public func invalidate() {
        state.withLock { state in
            state.generation += 1
            state.slots.removeAll(keepingCapacity: true)
            state.profiles.removeAll(keepingCapacity: true)
        }
    }
}
