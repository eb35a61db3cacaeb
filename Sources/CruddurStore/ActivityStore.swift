import CruddurDomain
import CruddurRuntime
import Foundation
import Logging

/// Reads and writes cruds. Every read leaves out expired cruds and cruds the caller may not read.
public protocol ActivityStore: Sendable {
    /// Top-level cruds of every user, newest first, each with its newest direct replies (``Activity/embeddedReplies``).
    func homeFeed(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws -> FeedPage
    /// Replies by others to the cruds of user `userUUID`, newest first.
    func notifications(
        for userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> FeedPage
    /// The top-level cruds of user `userUUID`, newest first.
    func userFeed(of userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    /// How many unexpired top-level cruds of user `userUUID` the caller may read.
    func activitiesCount(of userUUID: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Int
    /// Cruds and replies whose message contains `term`, case-insensitively and literally.
    func search(term: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws
        -> FeedPage
    /// One crud (without its replies), or `nil` when it does not exist, has expired or is not readable.
    func activity(_ uuid: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Activity?
    /// A page of the readable, unexpired direct replies to `parent`, newest first.
    func replies(to parent: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws
        -> FeedPage
    /// One crud and a page of its replies, newest first, or `nil` when the crud is not readable: what
    /// ``activity(_:readable:now:logger:)`` and ``replies(to:readable:page:now:logger:)`` answer together,
    /// in one round trip where the store can make it one.
    func activityWithReplies(_ uuid: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> (activity: Activity, replies: FeedPage)?
    /// The user with `handle`, how many of their cruds `readable` callers see at `now`, and until when that
    /// count holds, in one round trip where the store can make it one; `nil` when no user has the handle.
    func profile(handle: String, readable: [Visibility], now: Date, logger: Logger) async throws -> CountedProfile?
    /// Stores a new top-level crud, or, when its author used `idempotency`'s key within its lifetime,
    /// returns what that request stored (``StoreError/idempotencyKeyReused`` if it asked for something else).
    /// The crud and its key are written together or not at all.
    func insertActivity(_ activity: NewActivity, idempotency: IdempotencyKey?, logger: Logger) async throws -> Activity
    /// Stores a reply and bumps its parent's `replies_count` atomically; `nil` when the parent is not readable.
    /// `idempotency` as for ``insertActivity(_:idempotency:logger:)``.
    func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, idempotency: IdempotencyKey?,
        logger: Logger
    ) async throws -> Activity?
    /// The state of the backing storage, for the readiness check.
    func checkHealth(logger: Logger) async -> DependencyState
    /// The read standbys' state for the readiness check, `nil` without any: `ok` while each serves reads,
    /// `degraded` while one lags or is unreachable (its reads go to the primary, so the server stays ready).
    func standbyState() -> DependencyState?
}

extension ActivityStore {
    public func standbyState() -> DependencyState? { nil }

    public func activityWithReplies(
        _ uuid: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> (activity: Activity, replies: FeedPage)? {
        guard let activity = try await activity(uuid, readable: readable, now: now, logger: logger) else { return nil }
        return (activity, try await replies(to: uuid, readable: readable, page: page, now: now, logger: logger))
    }
}

/// A crud about to be written.
public struct NewActivity: Sendable {
    public var uuid: UUID
    public var authorUUID: UUID
    public var message: String
    public var visibility: Visibility
    public var expiresAt: Date
    public var createdAt: Date

    public init(
        uuid: UUID = UUID(), authorUUID: UUID, message: String, visibility: Visibility, expiresAt: Date,
        createdAt: Date
    ) {
        self.uuid = uuid
        self.authorUUID = authorUUID
        self.message = message
        self.visibility = visibility
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

/// A profile, and until when its crud count holds: the moment the first of the counted cruds expires (`nil`
/// when none will), or earlier when the store cannot tell.
public struct CountedProfile: Sendable, Equatable {
    public var profile: Profile
    public var countHoldsUntil: Date?

    public init(profile: Profile, countHoldsUntil: Date?) {
        self.profile = profile
        self.countHoldsUntil = countHoldsUntil
    }
}
