import CruddurDomain
import Foundation
import Logging

/// Everything the application reads and writes.
public typealias CruddurStore = ActivityStore & UserStore & MessageStore

/// Reads and writes direct messages. Only the two members of a conversation read or write it: for anyone
/// else it does not exist (`nil`).
public protocol MessageStore: Sendable {
    /// The conversations of user `member`, most recent message first.
    func messageGroups(of member: UUID, page: PageRequest, logger: Logger) async throws -> Page<MessageGroup>
    /// A page of conversation `group`'s messages, newest first; `nil` when `member` is not in it (or it does
    /// not exist).
    func messages(in group: UUID, member: UUID, page: PageRequest, logger: Logger) async throws -> Page<Message>?
    /// Writes `message` into its conversation (started for a ``NewMessage/Recipient/user(_:)`` when the two
    /// have none: two people writing to each other at once end up in one); `nil` when the author is not a
    /// member of the group. With an idempotency key the author used before, the message stored then.
    func writeMessage(_ message: NewMessage, logger: Logger) async throws -> Message?
}
