import CruddurDomain
import CruddurRuntime
import CruddurStore
import Foundation
import Logging

extension HomeFeedCache: HomeFeedRendering {}

extension HomeFeedCache: ActivityStore {
    public func homeFeed(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) async throws -> FeedPage
    {
        try await renderedHome(readable: readable, page: page, now: now, logger: logger).page
    }

    public func notifications(
        for userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> FeedPage {
        try await base.notifications(for: userUUID, readable: readable, page: page, now: now, logger: logger)
    }

    public func userFeed(of userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        try await base.userFeed(of: userUUID, readable: readable, page: page, now: now, logger: logger)
    }

    public func profile(handle: String, readable: [Visibility], now: Date, logger: Logger) async throws
        -> CountedProfile?
    {
        try await cachedProfile(handle: handle, readable: readable, now: now, logger: logger)
    }

    public func activitiesCount(of userUUID: UUID, readable: [Visibility], now: Date, logger: Logger) async throws
        -> Int
    {
        try await base.activitiesCount(of: userUUID, readable: readable, now: now, logger: logger)
    }

    public func search(term: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        try await base.search(term: term, readable: readable, page: page, now: now, logger: logger)
    }

    public func activity(_ uuid: UUID, readable: [Visibility], now: Date, logger: Logger) async throws -> Activity? {
        try await base.activity(uuid, readable: readable, now: now, logger: logger)
    }

    public func replies(to parent: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        async throws -> FeedPage
    {
        try await base.replies(to: parent, readable: readable, page: page, now: now, logger: logger)
    }

    public func activityWithReplies(
        _ uuid: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) async throws -> (activity: Activity, replies: FeedPage)? {
        try await base.activityWithReplies(uuid, readable: readable, page: page, now: now, logger: logger)
    }

    public func insertActivity(_ activity: NewActivity, idempotency: IdempotencyKey?, logger: Logger) async throws
        -> Activity
    {
        defer { invalidate() }
        return try await base.insertActivity(activity, idempotency: idempotency, logger: logger)
    }

    public func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, idempotency: IdempotencyKey?,
        logger: Logger
    ) async throws -> Activity? {
        defer { invalidate() }
        return try await base.insertReply(
            reply, to: parent, readable: readable, now: now, idempotency: idempotency, logger: logger)
    }

    public func standbyState() -> DependencyState? { base.standbyState() }

    public func checkHealth(logger: Logger) async -> DependencyState {
        await base.checkHealth(logger: logger)
    }
}

extension HomeFeedCache: UserStore {
    public func user(handle: String, logger: Logger) async throws -> User? {
        try await base.user(handle: handle, logger: logger)
    }

    public func user(cognitoUserID: String, logger: Logger) async throws -> User? {
        try await base.user(cognitoUserID: cognitoUserID, logger: logger)
    }

    /// A claimed demo user's profile gains its Cognito id.
    public func provisionUser(_ profile: CognitoProfile, logger: Logger) async throws -> User {
        defer { invalidate() }
        return try await base.provisionUser(profile, logger: logger)
    }

    /// A new display name shows on every feed page the user's cruds are on, and in the user's profile.
    public func updateProfile(_ user: UUID, _ update: ProfileUpdate, logger: Logger) async throws -> User? {
        defer { invalidate() }
        return try await base.updateProfile(user, update, logger: logger)
    }
}

extension HomeFeedCache: MessageStore where Base: MessageStore {
    public func messageGroups(of member: UUID, page: PageRequest, logger: Logger) async throws -> Page<MessageGroup> {
        try await base.messageGroups(of: member, page: page, logger: logger)
    }

    public func messages(in group: UUID, member: UUID, page: PageRequest, logger: Logger) async throws
        -> Page<Message>?
    {
        try await base.messages(in: group, member: member, page: page, logger: logger)
    }

    public func writeMessage(_ message: NewMessage, logger: Logger) async throws -> Message? {
        try await base.writeMessage(message, logger: logger)
    }
}
