import Foundation

/// A user's public profile: `{"uuid", "cognito_user_uuid", "handle", "display_name", "bio", "cruds_count",
/// "created_at"}`. `cognito_user_uuid` is the account's Cognito `sub` (null while a demo user is unclaimed):
/// the upstream frontend compares it with the signed-in user to offer "Edit profile".
public struct Profile: Sendable, Equatable, Encodable {
    public var user: User
    /// The user's unexpired top-level cruds the caller may read.
    public var crudsCount: Int

    public init(user: User, crudsCount: Int) {
        self.user = user
        self.crudsCount = crudsCount
    }

    enum CodingKeys: String, CodingKey {
        case uuid, handle, bio
        case cognitoUserUUID = "cognito_user_uuid"
        case displayName = "display_name"
        case crudsCount = "cruds_count"
        case createdAt = "created_at"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user.uuid.uuidString.lowercased(), forKey: .uuid)
        try container.encode(user.cognitoUserID, forKey: .cognitoUserUUID)
        try container.encode(user.handle, forKey: .handle)
        try container.encode(user.displayName, forKey: .displayName)
        try container.encode(user.bio, forKey: .bio)
        try container.encode(crudsCount, forKey: .crudsCount)
        try container.encode(RFC3339.string(from: user.createdAt), forKey: .createdAt)
    }
}

/// What a profile update may set.
public struct ProfileUpdate: Sendable, Equatable {
    public var displayName: String
    /// `nil` clears the bio.
    public var bio: String?

    public init(displayName: String, bio: String?) {
        self.displayName = displayName
        self.bio = bio
    }
}
