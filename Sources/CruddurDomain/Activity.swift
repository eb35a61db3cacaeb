import Foundation

/// A crud (or a reply to one) as the API shows it.
public struct Activity: Sendable, Equatable {
    public var uuid: UUID
    public var displayName: String
    public var handle: String
    public var message: String
    public var repliesCount: Int
    public var repostsCount: Int
    public var likesCount: Int
    public var replyToActivityUUID: UUID?
    public var visibility: Visibility
    public var expiresAt: Date
    public var createdAt: Date
    /// Direct replies, oldest first: on feeds the newest ``embeddedReplies``, on the show route one page.
    public var replies: [Activity]

    /// How many replies a feed embeds per crud (the newest); `replies_count` tells how many there are.
    public static let embeddedReplies = 3

    public init(
        uuid: UUID, displayName: String, handle: String, message: String, repliesCount: Int = 0,
        repostsCount: Int = 0, likesCount: Int = 0, replyToActivityUUID: UUID? = nil,
        visibility: Visibility = .public, expiresAt: Date, createdAt: Date, replies: [Activity] = []
    ) {
        self.uuid = uuid
        self.displayName = displayName
        self.handle = handle
        self.message = message
        self.repliesCount = repliesCount
        self.repostsCount = repostsCount
        self.likesCount = likesCount
        self.replyToActivityUUID = replyToActivityUUID
        self.visibility = visibility
        self.expiresAt = expiresAt
        self.createdAt = createdAt
        self.replies = replies
    }

    /// The keyset position of this crud in a newest-first feed.
    public var cursor: FeedCursor { FeedCursor(createdAt: createdAt, uuid: uuid) }
}

extension Activity: Encodable {
    enum CodingKeys: String, CodingKey {
        case uuid, handle, message, replies
        case displayName = "display_name"
        case repliesCount = "replies_count"
        case repostsCount = "reposts_count"
        case likesCount = "likes_count"
        case replyToActivityUUID = "reply_to_activity_uuid"
        case expiresAt = "expires_at"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(uuid.uuidString.lowercased(), forKey: .uuid)
        try container.encode(displayName, forKey: .displayName)
        try container.encode(handle, forKey: .handle)
        try container.encode(message, forKey: .message)
        try container.encode(repliesCount, forKey: .repliesCount)
        try container.encode(repostsCount, forKey: .repostsCount)
        try container.encode(likesCount, forKey: .likesCount)
        try container.encode(replyToActivityUUID?.uuidString.lowercased(), forKey: .replyToActivityUUID)
        try container.encode(RFC3339.string(from: expiresAt), forKey: .expiresAt)
        try container.encode(RFC3339.string(from: createdAt), forKey: .createdAt)
        try container.encode(replies, forKey: .replies)
    }
}
