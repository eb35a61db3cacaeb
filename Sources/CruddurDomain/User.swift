import Foundation

/// A Cruddur user as stored.
public struct User: Sendable, Equatable {
    public var uuid: UUID
    public var handle: String
    public var displayName: String
    public var email: String?
    public var bio: String?
    /// The Cognito `sub` this user signs in with; `nil` for a demo user nobody has claimed.
    public var cognitoUserID: String?
    /// When the user joined.
    public var createdAt: Date

    public init(
        uuid: UUID, handle: String, displayName: String, email: String? = nil, bio: String? = nil,
        cognitoUserID: String? = nil, createdAt: Date = Date()
    ) {
        self.uuid = uuid
        self.handle = handle
        self.displayName = displayName
        self.email = email
        self.bio = bio
        self.cognitoUserID = cognitoUserID
        self.createdAt = createdAt
    }

    /// The public short profile.
    public var short: UserShort { UserShort(uuid: uuid, handle: handle, displayName: displayName) }

    /// What a signed-in caller's row is read for.
    public var caller: CallerUser { CallerUser(uuid: uuid, handle: handle) }
}

/// A signed-in caller's user as requests use it: the two fields that never change for a Cognito `sub`, so a
/// replica may keep them (a display name or bio changes, and is never read from here).
public struct CallerUser: Sendable, Equatable {
    public let uuid: UUID
    public let handle: String

    public init(uuid: UUID, handle: String) {
        self.uuid = uuid
        self.handle = handle
    }
}

/// The short profile the API shows: `{"uuid", "handle", "display_name"}`.
public struct UserShort: Sendable, Equatable, Encodable {
    public var uuid: UUID
    public var handle: String
    public var displayName: String

    public init(uuid: UUID, handle: String, displayName: String) {
        self.uuid = uuid
        self.handle = handle
        self.displayName = displayName
    }

    enum CodingKeys: String, CodingKey {
        case uuid, handle
        case displayName = "display_name"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(uuid.uuidString.lowercased(), forKey: .uuid)
        try container.encode(handle, forKey: .handle)
        try container.encode(displayName, forKey: .displayName)
    }
}
