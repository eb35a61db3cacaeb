import Foundation

/// A direct message as the API shows it: `{"uuid", "display_name", "handle", "message", "created_at"}`,
/// the author's name and handle beside the text.
public struct Message: Sendable, Equatable, Encodable {
    public var uuid: UUID
    public var messageGroupUUID: UUID
    public var handle: String
    public var displayName: String
    public var message: String
    public var createdAt: Date

    public init(
        uuid: UUID, messageGroupUUID: UUID, handle: String, displayName: String, message: String, createdAt: Date
    ) {
        self.uuid = uuid
        self.messageGroupUUID = messageGroupUUID
        self.handle = handle
        self.displayName = displayName
        self.message = message
        self.createdAt = createdAt
    }

    /// Where this message sits in a conversation read newest first.
    public var cursor: FeedCursor { FeedCursor(createdAt: createdAt, uuid: uuid) }

    enum CodingKeys: String, CodingKey {
        case uuid, handle, message
        case displayName = "display_name"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(uuid.uuidString.lowercased(), forKey: .uuid)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(handle, forKey: .handle)
        try container.encode(message, forKey: .message)
        try container.encode(RFC3339.string(from: createdAt), forKey: .createdAt)
    }
}

/// One conversation as one of its two members sees it: the other person, and the latest message.
/// `{"uuid", "display_name", "handle", "message", "created_at"}`.
public struct MessageGroup: Sendable, Equatable, Encodable {
    public var uuid: UUID
    /// The other member's handle and name.
    public var handle: String
    public var displayName: String
    /// The latest message's text and time.
    public var message: String
    public var createdAt: Date

    public init(uuid: UUID, handle: String, displayName: String, message: String, createdAt: Date) {
        self.uuid = uuid
        self.handle = handle
        self.displayName = displayName
        self.message = message
        self.createdAt = createdAt
    }

    /// Where this conversation sits in a list read most recent first.
    public var cursor: FeedCursor { FeedCursor(createdAt: createdAt, uuid: uuid) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Message.CodingKeys.self)
        try container.encode(uuid.uuidString.lowercased(), forKey: .uuid)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(handle, forKey: .handle)
        try container.encode(message, forKey: .message)
        try container.encode(RFC3339.string(from: createdAt), forKey: .createdAt)
    }
}

/// One page of a newest-first list and where the next one starts: ``FeedPage``'s rule for other items.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: FeedCursor?

    public init(items: [Item], next: FeedCursor?) {
        self.items = items
        self.next = next
    }

    /// Builds a page from up to `limit + 1` items read newest first.
    public init(overfetched items: [Item], limit: Int, cursor: (Item) -> FeedCursor) {
        self.items = Array(items.prefix(limit))
        self.next = items.count > limit ? self.items.last.map(cursor) : nil
    }
}

/// A direct message about to be written, and where to.
public struct NewMessage: Sendable {
    public enum Recipient: Sendable, Equatable {
        /// A conversation the author must be a member of.
        case group(UUID)
        /// A user: their conversation with the author, started if there is none.
        case user(UUID)
    }

    public var uuid: UUID
    public var authorUUID: UUID
    public var recipient: Recipient
    public var message: String
    public var createdAt: Date
    /// The author's `Idempotency-Key`, if the request had one: a retry returns the stored message.
    public var idempotencyKey: String?

    public init(
        uuid: UUID = UUID(), authorUUID: UUID, recipient: Recipient, message: String, createdAt: Date,
        idempotencyKey: String? = nil
    ) {
        self.uuid = uuid
        self.authorUUID = authorUUID
        self.recipient = recipient
        self.message = message
        self.createdAt = createdAt
        self.idempotencyKey = idempotencyKey
    }
}
