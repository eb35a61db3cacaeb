import CruddurAuth
import CruddurDomain
import CruddurStore
import Foundation
import Logging

/// What each feed contains: the read side of Cruddur. Free of HTTP so it is tested without a server.
public struct FeedService<Store: ActivityStore & UserStore>: Sendable {
    let store: Store
    /// Home pages already written as JSON, when the server keeps them.
    let cache: FeedCache?
    let clock: @Sendable () -> Date

    public init(store: Store, cache: FeedCache? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.cache = cache
        self.clock = clock
    }

    /// The home feed: public, unexpired cruds for everyone, plus members-only cruds for a signed-in caller.
    public func home(caller: Caller, page: PageRequest, logger: Logger) async throws -> RenderedFeedPage {
        let (store, readable, now) = (self.store, caller.readable, clock())
        guard let cache else {
            return RenderedFeedPage(try await store.homeFeed(readable: readable, page: page, now: now, logger: logger))
        }
        return try await cache.home(readable: readable, page: page, now: now) {
            try await store.homeFeed(readable: readable, page: page, now: now, logger: logger)
        }
    }

    /// Replies by others to the caller's cruds, newest first.
    public func notifications(for user: CallerUser, page: PageRequest, logger: Logger) async throws -> FeedPage {
        try await store.notifications(
            for: user.uuid, readable: Visibility.readable(signedIn: true), page: page, now: clock(), logger: logger)
    }

    /// The top-level cruds of `user`, already looked up (its profile is on the same page).
    public func userFeed(of user: User, caller: Caller, page: PageRequest, logger: Logger) async throws -> FeedPage {
        try await store.userFeed(of: user.uuid, readable: caller.readable, page: page, now: clock(), logger: logger)
    }

    /// Cruds whose message contains `term` (case-insensitive, taken literally).
    public func search(term: String?, caller: Caller, page: PageRequest, logger: Logger) async throws -> FeedPage {
        let trimmed = term?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !trimmed.isEmpty else { throw APIError.validation(["search_term_blank"]) }
        guard trimmed.count <= 200 else { throw APIError.validation(["search_term_too_long"]) }
        // No stored message holds NUL (writes refuse it), and PostgreSQL text cannot even carry one.
        guard !trimmed.unicodeScalars.contains("\u{0}") else { return FeedPage(items: [], next: nil) }
        return try await store.search(
            term: trimmed, readable: caller.readable, page: page, now: clock(), logger: logger)
    }

    /// One crud with a page of its replies (the newest `page.limit` before the cursor, shown oldest first),
    /// and where the next, older page starts; expired, members-only for an anonymous caller, or unknown:
    /// not found.
    public func activity(_ uuid: UUID, caller: Caller, replies page: PageRequest, logger: Logger) async throws
        -> (activity: Activity, next: FeedCursor?)
    {
        let now = clock()
        guard
            let shown = try await store.activityWithReplies(
                uuid, readable: caller.readable, page: page, now: now, logger: logger)
        else { throw APIError.notFound("No activity \(uuid.uuidString.lowercased())") }
        var activity = shown.activity
        let replies = shown.replies
        activity.replies = replies.items.reversed()
        return (activity, replies.next)
    }

    /// The short profile of the user with `handle`.
    public func userShort(handle: String, logger: Logger) async throws -> UserShort {
        guard Handle.isValid(handle), let user = try await store.user(handle: handle, logger: logger) else {
            throw APIError.noUser(handle)
        }
        return user.short
    }
}
