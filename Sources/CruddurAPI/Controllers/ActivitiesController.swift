import CruddurDomain
import CruddurStore
import Foundation
import HTTPTypes
import Hummingbird

/// The `/api/activities` routes: feeds, search, show, posting and replying.
public struct ActivitiesController<Store: ActivityStore & UserStore>: Sendable {
    let feeds: FeedService<Store>
    let profiles: ProfileService<Store>
    let activities: ActivityService<Store>
    let callers: CallerUserService<Store>
    let bodyDecoder: JSONBodyDecoder
    let writeLimiter: WriteRateLimiter

    public init(
        feeds: FeedService<Store>, profiles: ProfileService<Store>, activities: ActivityService<Store>,
        callers: CallerUserService<Store>, bodyDecoder: JSONBodyDecoder, writeLimiter: WriteRateLimiter
    ) {
        self.feeds = feeds
        self.profiles = profiles
        self.activities = activities
        self.callers = callers
        self.bodyDecoder = bodyDecoder
        self.writeLimiter = writeLimiter
    }

    /// The handlers of the activity routes (their paths and access: ``APIRoutes``).
    public var handlers: [RouteName: RouteHandler] {
        [
            .home: .anyone(home), .search: .anyone(search), .userFeed: .anyone(userFeed),
            .showByHandle: .anyone(showByHandle), .show: .anyone(show),
            .notifications: .caller(notifications), .create: .caller(create), .reply: .caller(reply),
        ]
    }

    /// The home feed.
    @Sendable func home(request: Request, context: AppRequestContext) async throws -> Response {
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let feed = try await feeds.home(caller: context.caller, page: page, logger: context.logger)
        return FeedPaging.response(feed.page, json: feed.json, request: request, limit: page.limit)
    }

    /// Cruds matching `term`.
    @Sendable func search(request: Request, context: AppRequestContext) async throws -> Response {
        let query = QueryParameters(request.uri)
        let page = try FeedPaging.pageRequest(query)
        let feed = try await feeds.search(
            term: query["term"], caller: context.caller, page: page, logger: context.logger)
        return FeedPaging.response(feed, request: request, limit: page.limit, keep: ["term"])
    }

    /// One user's profile and a page of their cruds: `{"profile", "activities"}`.
    @Sendable func userFeed(request: Request, context: AppRequestContext) async throws -> Response {
        let handle = context.parameters.get("handle").flatMap { PercentEncoding.decode($0) } ?? ""
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let profile = try await profiles.profile(handle: handle, caller: context.caller, logger: context.logger)
        let feed = try await feeds.userFeed(
            of: profile.user, caller: context.caller, page: page, logger: context.logger)
        let body = JSONResponse.object([
            "profile": ProfileJSON.object(profile),
            "activities": ActivityJSON.array(feed.items),
        ])
        return JSONResponse.bytes(
            body, headers: FeedPaging.linkHeader(next: feed.next, request: request, limit: page.limit))
    }

    /// The upstream show page: `{"activity", "replies"}` for a crud of the user with `handle`; 404 when the
    /// crud is unknown, expired, not readable, or someone else's.
    @Sendable func showByHandle(request: Request, context: AppRequestContext) async throws -> Response {
        let handle = context.parameters.get("handle").flatMap { PercentEncoding.decode($0) } ?? ""
        let uuid = try Self.uuid(context.parameters.get("uuid"))
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let shown = try await feeds.activity(uuid, caller: context.caller, replies: page, logger: context.logger)
        guard shown.activity.handle.lowercased() == handle.lowercased() else {
            throw APIError.notFound(
                "No activity \(uuid.uuidString.lowercased()) by @\(handle.prefix(Handle.maxLength))")
        }
        let body = JSONResponse.object([
            "activity": ActivityJSON.object(shown.activity), "replies": ActivityJSON.array(shown.activity.replies),
        ])
        return JSONResponse.bytes(
            body, headers: FeedPaging.linkHeader(next: shown.next, request: request, limit: page.limit))
    }

    /// One crud with a page of its replies; `Link` announces the older ones.
    @Sendable func show(request: Request, context: AppRequestContext) async throws -> Response {
        let uuid = try Self.uuid(context.parameters.get("uuid"))
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let shown = try await feeds.activity(uuid, caller: context.caller, replies: page, logger: context.logger)
        return JSONResponse.bytes(
            ActivityJSON.object(shown.activity),
            headers: FeedPaging.linkHeader(next: shown.next, request: request, limit: page.limit))
    }

    /// Replies to the caller's cruds.
    @Sendable func notifications(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let feed = try await feeds.notifications(for: user, page: page, logger: context.logger)
        return FeedPaging.response(feed, request: request, limit: page.limit)
    }

    /// Posts a crud as the caller.
    @Sendable func create(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try writeLimiter.admitWrite(by: context.identity.sub)
        let body = try await bodyDecoder.decode(CreateActivityBody.self, from: request)
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let activity = try await activities.create(
            author: user, message: body.message, ttl: body.ttl,
            idempotencyKey: request.headers[.idempotencyKey], logger: context.logger)
        return JSONResponse.bytes(ActivityJSON.object(activity))
    }

    /// Replies to a crud as the caller.
    @Sendable func reply(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try writeLimiter.admitWrite(by: context.identity.sub)
        let parent = try Self.uuid(context.parameters.get("uuid"))
        let body = try await bodyDecoder.decode(ReplyBody.self, from: request)
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let reply = try await activities.reply(
            author: user, to: parent, message: body.message, idempotencyKey: request.headers[.idempotencyKey],
            logger: context.logger)
        return JSONResponse.bytes(ActivityJSON.object(reply))
    }

    static func uuid(_ text: String?) throws -> UUID {
        guard let text, text.utf8.count == 36, let uuid = UUID(uuidString: text) else {
            throw APIError.badRequest(code: "invalid_uuid", message: "The activity id must be a UUID")
        }
        return uuid
    }
}

/// `POST /api/activities` body.
struct CreateActivityBody: Decodable {
    let message: String?
    let ttl: String?

    enum CodingKeys: String, CodingKey { case message, ttl }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = container.lenientString(forKey: .message)
        ttl = container.lenientString(forKey: .ttl)
    }
}

/// `POST /api/activities/{uuid}/reply` body.
struct ReplyBody: Decodable {
    let message: String?

    enum CodingKeys: String, CodingKey { case message }

    init(from decoder: any Decoder) throws {
        message = try decoder.container(keyedBy: CodingKeys.self).lenientString(forKey: .message)
    }
}

extension HTTPField.Name {
    static let idempotencyKey = Self("Idempotency-Key")!
}
