import CruddurDomain
import CruddurStore
import Foundation
import Logging

/// Posting cruds and replies: the write side of Cruddur and its validation rules.
public struct ActivityService<Store: ActivityStore & UserStore>: Sendable {
    let store: Store
    /// Dropped after every write, so the writer's next read shows it.
    let cache: FeedCache?
    let clock: @Sendable () -> Date

    public init(store: Store, cache: FeedCache? = nil, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.cache = cache
        self.clock = clock
    }

    /// Posts a crud by `author` that lives for `ttl`. Reports every failing check at once. With an
    /// `idempotencyKey` the author used within 24 hours for the same request, returns that first crud.
    public func create(
        author: CallerUser, message: String?, ttl: String?, idempotencyKey: String? = nil, logger: Logger
    ) async throws -> Activity {
        var problems = MessageRules.problems(message: message, limit: MessageRules.activity)
        let lifetime = ttl.flatMap(ActivityTTL.init(rawValue:))
        if lifetime == nil { problems.append("ttl_blank") }
        guard problems.isEmpty, let message, let lifetime else {
            throw APIError.validation(problems)
        }
        let text = MessageRules.normalized(message)
        let key = try Self.idempotency(idempotencyKey, request: ["create", text, lifetime.rawValue])
        let now = clock()
        let new = NewActivity(
            authorUUID: author.uuid, message: text, visibility: .public,
            expiresAt: now.addingTimeInterval(TimeInterval(lifetime.seconds)), createdAt: now)
        defer { cache?.invalidate() }
        return try await store.insertActivity(new, idempotency: key, logger: logger)
    }

    /// Replies to crud `parent` as `author`. The reply lives as long as its parent and is as visible.
    public func reply(
        author: CallerUser, to parent: UUID, message: String?, idempotencyKey: String? = nil, logger: Logger
    ) async throws -> Activity {
        let problems = MessageRules.problems(message: message, limit: MessageRules.reply)
        guard problems.isEmpty, let message else { throw APIError.validation(problems) }
        let text = MessageRules.normalized(message)
        let key = try Self.idempotency(idempotencyKey, request: ["reply", parent.uuidString, text])
        let now = clock()
        let readable = Visibility.readable(signedIn: true)
        guard let parentActivity = try await store.activity(parent, readable: readable, now: now, logger: logger) else {
            throw APIError.notFound("No activity \(parent.uuidString.lowercased())")
        }
        let new = NewActivity(
            authorUUID: author.uuid, message: text, visibility: parentActivity.visibility,
            expiresAt: parentActivity.expiresAt, createdAt: now)
        defer { cache?.invalidate() }
        guard
            let reply = try await store.insertReply(
                new, to: parent, readable: readable, now: now, idempotency: key, logger: logger)
        else { throw APIError.notFound("No activity \(parent.uuidString.lowercased())") }
        return reply
    }

    static func idempotency(_ header: String?, request: [String]) throws -> IdempotencyKey? {
        try IdempotencyKey(header: header, request: request)
    }
}

extension IdempotencyKey {
    /// The request's idempotency key; `nil` without the header, 400 `invalid_idempotency_key` for a
    /// malformed one.
    init?(header: String?, request: [String]) throws {
        guard let header else { return nil }
        guard let key = IdempotencyKey(key: header, request: request) else {
            throw APIError.badRequest(
                code: "invalid_idempotency_key", message: "Idempotency-Key must be 1 to 255 visible ASCII characters")
        }
        self = key
    }
}
