import CruddurDomain
import CruddurStore
import Foundation
import Hummingbird

/// Direct messages, at the upstream paths: `GET /api/message_groups`, `GET /api/messages/{uuid}` and
/// `POST /api/messages`. All need a signed-in caller.
public struct MessagesController<Store: CruddurStore>: Sendable {
    let messages: MessageService<Store>
    let callers: CallerUserService<Store>
    let bodyDecoder: JSONBodyDecoder
    let writeLimiter: WriteRateLimiter

    public init(
        messages: MessageService<Store>, callers: CallerUserService<Store>, bodyDecoder: JSONBodyDecoder,
        writeLimiter: WriteRateLimiter
    ) {
        self.messages = messages
        self.callers = callers
        self.bodyDecoder = bodyDecoder
        self.writeLimiter = writeLimiter
    }

    public var handlers: [RouteName: RouteHandler] {
        [.messageGroups: .caller(groups), .conversation: .caller(conversation), .writeMessage: .caller(write)]
    }

    /// The caller's conversations, most recent first.
    @Sendable func groups(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let groups = try await messages.groups(of: user, page: page, logger: context.logger)
        return JSONResponse.make(
            groups.items, headers: FeedPaging.linkHeader(next: groups.next, request: request, limit: page.limit))
    }

    /// A page of one conversation, oldest first; `Link` announces the older page.
    @Sendable func conversation(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        let page = try FeedPaging.pageRequest(QueryParameters(request.uri))
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let found = try await messages.messages(
            in: context.parameters.get("message_group_uuid") ?? "", for: user, page: page, logger: context.logger)
        return JSONResponse.make(
            Array(found.items.reversed()),
            headers: FeedPaging.linkHeader(next: found.next, request: request, limit: page.limit))
    }

    /// Writes a message into a conversation, or to a user.
    @Sendable func write(request: Request, context: AuthenticatedRequestContext) async throws -> Response {
        try writeLimiter.admitWrite(by: context.identity.sub)
        let body = try await bodyDecoder.decode(NewMessageBody.self, from: request)
        let user = try await callers.user(for: context.identity, logger: context.logger)
        let written = try await messages.write(
            from: user, message: body.message, group: body.messageGroupUUID, handle: body.handle,
            idempotencyKey: request.headers[.idempotencyKey], logger: context.logger)
        return JSONResponse.make(WrittenMessage(message: written))
    }
}

/// `POST /api/messages` body: `{"message", "message_group_uuid"}` or `{"message", "handle"}`.
struct NewMessageBody: Decodable {
    let message: String?
    let messageGroupUUID: String?
    let handle: String?

    enum CodingKeys: String, CodingKey {
        case message, handle
        case messageGroupUUID = "message_group_uuid"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = container.lenientString(forKey: .message)
        messageGroupUUID = container.givenString(forKey: .messageGroupUUID)
        handle = container.givenString(forKey: .handle)
    }
}

/// The answer to a write: the message and the conversation it went into.
struct WrittenMessage: Encodable {
    let message: Message

    enum CodingKeys: String, CodingKey {
        case messageGroupUUID = "message_group_uuid"
    }

    func encode(to encoder: any Encoder) throws {
        try message.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message.messageGroupUUID.uuidString.lowercased(), forKey: .messageGroupUUID)
    }
}
