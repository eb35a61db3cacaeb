import CruddurDomain
import Foundation
import Logging

extension CruddurMemoryStore: MessageStore {
    struct StoredGroup: Sendable {
        var uuid: UUID
        var members: Set<UUID>
        var lastMessageAt: Date
    }

    struct StoredMessage: Sendable {
        var uuid: UUID
        var group: UUID
        var author: UUID
        var message: String
        var idempotencyKey: String?
        var createdAt: Date
    }

    public func messageGroups(of member: UUID, page: PageRequest, logger: Logger) -> Page<MessageGroup> {
        let groups = messageGroups.values
            .filter { $0.members.contains(member) }
            .compactMap { group -> MessageGroup? in
                guard let other = group.members.first(where: { $0 != member }).flatMap({ users[$0] }),
                    let latest = newestFirst(in: group.uuid).first
                else { return nil }
                return MessageGroup(
                    uuid: group.uuid, handle: other.handle, displayName: other.displayName, message: latest.message,
                    createdAt: group.lastMessageAt)
            }
            .filter { page.before?.admits(createdAt: $0.createdAt, uuid: $0.uuid) ?? true }
            .sorted { $0.cursor.admits(createdAt: $1.createdAt, uuid: $1.uuid) }
        return Page(overfetched: Array(groups.prefix(page.limit + 1)), limit: page.limit, cursor: \.cursor)
    }

    public func messages(in group: UUID, member: UUID, page: PageRequest, logger: Logger) -> Page<Message>? {
        guard let stored = messageGroups[group], stored.members.contains(member) else { return nil }
        let found = newestFirst(in: stored.uuid)
            .filter { page.before?.admits(createdAt: $0.createdAt, uuid: $0.uuid) ?? true }
            .prefix(page.limit + 1)
            .map(render)
        return Page(overfetched: Array(found), limit: page.limit, cursor: \.cursor)
    }

    public func writeMessage(_ new: NewMessage, logger: Logger) throws -> Message? {
        let group: UUID
        switch new.recipient {
        case .group(let uuid):
            guard let stored = messageGroups[uuid], stored.members.contains(new.authorUUID) else { return nil }
            group = uuid
        case .user(let other):
            let members: Set = [new.authorUUID, other]
            group =
                messageGroups.values.first { $0.members == members }?.uuid
                ?? {
                    let uuid = UUID()
                    messageGroups[uuid] = StoredGroup(uuid: uuid, members: members, lastMessageAt: new.createdAt)
                    return uuid
                }()
        }
        if let key = new.idempotencyKey,
            let earlier = directMessages.first(where: { $0.author == new.authorUUID && $0.idempotencyKey == key })
        {
            guard earlier.message == new.message else { throw StoreError.idempotencyKeyReused }
            return render(earlier)
        }
        let stored = StoredMessage(
            uuid: new.uuid, group: group, author: new.authorUUID, message: new.message,
            idempotencyKey: new.idempotencyKey, createdAt: new.createdAt)
        directMessages.append(stored)
        if let last = messageGroups[group]?.lastMessageAt, last < new.createdAt {
            messageGroups[group]?.lastMessageAt = new.createdAt
        }
        return render(stored)
    }

    func newestFirst(in group: UUID) -> [StoredMessage] {
        directMessages.filter { $0.group == group }.sorted {
            FeedCursor(createdAt: $0.createdAt, uuid: $0.uuid).admits(createdAt: $1.createdAt, uuid: $1.uuid)
        }
    }

    func render(_ message: StoredMessage) -> Message {
        let author = users[message.author]
        return Message(
            uuid: message.uuid, messageGroupUUID: message.group, handle: author?.handle ?? "",
            displayName: author?.displayName ?? "", message: message.message, createdAt: message.createdAt)
    }
}
