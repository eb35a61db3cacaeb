import Foundation
import Logging

/// Posting cruds and replies: the write side of Cruddur and its validation rules.
public struct CrudService<Store: ActivityStore & UserStore>: Sendable {
    let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// Posts a crud by `author` that lives for `ttl`. Reports every failing check at once.
    public func create(author: User, message: String?, ttl: String?, logger: Logger) async throws -> Activity {
        var problems = MessageRules.problems(message: message, maxLength: MessageRules.maxCrudLength)
        let lifetime = ttl.flatMap(CrudTTL.init(rawValue:))
        if lifetime == nil { problems.append("ttl_blank") }
        guard problems.isEmpty, let message, let lifetime else {
            throw APIError.validation(problems)
        }
        let now = clock()
        let new = NewActivity(
            authorUUID: author.uuid, message: MessageRules.normalized(message), visibility: .public,
            expiresAt: now.addingTimeInterval(TimeInterval(lifetime.seconds)), createdAt: now)
        return try await store.insertActivity(new, logger: logger)
    }

    /// Replies to crud `parent` as `author`. The reply lives as long as its parent and is as visible.
    public func reply(author: User, to parent: UUID, message: String?, logger: Logger) async throws -> Activity {
        let problems = MessageRules.problems(message: message, maxLength: MessageRules.maxReplyLength)
        guard problems.isEmpty, let message else { throw APIError.validation(problems) }
        let now = clock()
        let readable = Visibility.readable(signedIn: true)
        guard let parentActivity = try await store.activity(parent, readable: readable, now: now, logger: logger) else {
            throw APIError.notFound("No activity \(parent.uuidString.lowercased())")
        }
        let new = NewActivity(
            authorUUID: author.uuid, message: MessageRules.normalized(message),
            visibility: parentActivity.visibility, expiresAt: parentActivity.expiresAt, createdAt: now)
        guard let reply = try await store.insertReply(new, to: parent, readable: readable, now: now, logger: logger)
        else { throw APIError.notFound("No activity \(parent.uuidString.lowercased())") }
        return reply
    }
}
