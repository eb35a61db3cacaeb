import CruddurDomain
import CruddurStore
import Foundation
import Logging

/// Direct messages: a member's conversations, a conversation's messages, and writing one. Anyone who is not
/// a member of a conversation gets 404, as if it did not exist.
public struct MessageService<Store: UserStore & MessageStore>: Sendable {
    let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// The caller's conversations, most recent message first.
    public func groups(of user: CallerUser, page: PageRequest, logger: Logger) async throws -> Page<MessageGroup> {
        try await store.messageGroups(of: user.uuid, page: page, logger: logger)
    }

    /// A page of a conversation's messages, newest first.
    public func messages(in group: String, for user: CallerUser, page: PageRequest, logger: Logger) async throws
        -> Page<Message>
    {
        guard let uuid = Self.uuid(group),
            let page = try await store.messages(in: uuid, member: user.uuid, page: page, logger: logger)
        else { throw Self.noGroup }
        return page
    }

    /// Writes `message` from `author` into `group`, or to the user with `handle` (their conversation, started
    /// if need be). 422 with every failing check; 404 for an unknown handle, or a group that is unknown or
    /// not the author's.
    public func write(
        from author: CallerUser, message: String?, group: String?, handle: String?, idempotencyKey: String?,
        logger: Logger
    ) async throws -> Message {
        var problems = MessageRules.problems(message: message, limit: MessageRules.reply)
        // Each target that is given must be sound, even beside the other (the group is the one used). Blank
        // is judged after trimming; a target padded with white space names nothing (404).
        func isBlank(_ text: String?) -> Bool { text?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true }
        if group == nil, handle == nil { problems += ["message_group_uuid_blank", "handle_blank"] }
        if isBlank(group) { problems.append("message_group_uuid_blank") }
        if isBlank(handle) { problems.append("handle_blank") }
        var recipient: NewMessage.Recipient?
        var missing: APIError?
        if let handle, !isBlank(handle) {
            let name = handle.hasPrefix("@") ? String(handle.dropFirst()) : handle
            if Handle.isValid(name), let user = try await store.user(handle: name, logger: logger) {
                recipient = .user(user.uuid)
                if user.uuid == author.uuid, group == nil { problems.append("handle_self") }
            } else {
                missing = APIError.noUser(name)
            }
        }
        if let group, !isBlank(group) {
            if let uuid = Self.uuid(group) { recipient = .group(uuid) } else { missing = Self.noGroup }
        }
        guard problems.isEmpty, let message else { throw APIError.validation(problems) }
        if let missing { throw missing }
        guard let recipient else { throw Self.noGroup }
        let key = try IdempotencyKey(header: idempotencyKey, request: [])?.key
        let new = NewMessage(
            authorUUID: author.uuid, recipient: recipient, message: MessageRules.normalized(message),
            createdAt: clock(), idempotencyKey: key)
        guard let written = try await store.writeMessage(new, logger: logger) else { throw Self.noGroup }
        return written
    }

    static var noGroup: APIError { APIError.notFound("No such conversation") }

    static func uuid(_ text: String) -> UUID? {
        text.utf8.count == 36 ? UUID(uuidString: text) : nil
    }
}
