import CruddurDomain
import CruddurRuntime
import Foundation

/// The demo cast and their cruds, read from `db/seed.json` (the same file `cruddur seed` loads into
/// PostgreSQL). Times are offsets from the moment the seed is loaded, so the demo never goes stale.
public struct SeedData: Sendable, Decodable {
    public struct SeedUser: Sendable, Decodable {
        public var uuid: UUID
        public var handle: String
        public var displayName: String
        public var email: String?
        public var bio: String?

        enum CodingKeys: String, CodingKey {
            case uuid, handle, email, bio
            case displayName = "display_name"
        }
    }

    public struct SeedActivity: Sendable, Decodable {
        public var uuid: UUID
        public var handle: String
        public var message: String
        public var visibility: Visibility
        public var replyTo: UUID?
        public var createdMinutesAgo: Int
        /// Negative for a crud that has already expired.
        public var expiresInMinutes: Int
        public var likesCount: Int
        public var repostsCount: Int

        enum CodingKeys: String, CodingKey {
            case uuid, handle, message, visibility
            case replyTo = "reply_to"
            case createdMinutesAgo = "created_minutes_ago"
            case expiresInMinutes = "expires_in_minutes"
            case likesCount = "likes_count"
            case repostsCount = "reposts_count"
        }
    }

    /// A direct message between two seeded users; the pair's conversation has `group`'s uuid.
    public struct SeedMessage: Sendable, Decodable {
        public var uuid: UUID
        public var group: UUID
        public var from: String
        public var to: String
        public var message: String
        public var createdMinutesAgo: Int

        enum CodingKeys: String, CodingKey {
            case uuid, from, to, message
            case group = "message_group_uuid"
            case createdMinutesAgo = "created_minutes_ago"
        }
    }

    public var users: [SeedUser]
    public var activities: [SeedActivity]
    public var messages: [SeedMessage] = []

    enum CodingKeys: String, CodingKey { case users, activities, messages }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        users = try container.decode([SeedUser].self, forKey: .users)
        activities = try container.decode([SeedActivity].self, forKey: .activities)
        messages = try container.decodeIfPresent([SeedMessage].self, forKey: .messages) ?? []
    }

    /// Reads the seed file at `path`.
    public static func load(path: String) throws -> SeedData {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try JSONDecoder().decode(SeedData.self, from: data)
    }

    /// The seed built into the binary (`db/seed.json` when it was built).
    public static func embedded() throws -> SeedData {
        try JSONDecoder().decode(SeedData.self, from: Data(EmbeddedDatabaseFiles.seed.utf8))
    }

    /// The seed `SEED_FILE` names (it must exist and be valid), else the embedded one.
    public static func configured(_ settings: Settings) throws -> SeedData {
        guard let path = settings.string("SEED_FILE") else { return try embedded() }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ConfigurationError(variable: "SEED_FILE", problem: "names a file that cannot be read: \(path)")
        }
        do {
            return try load(path: path)
        } catch {
            throw ConfigurationError(
                variable: "SEED_FILE", problem: "names a file that is not valid seed JSON (\(error))")
        }
    }

    /// The users as stored.
    public var storedUsers: [User] {
        users.map { User(uuid: $0.uuid, handle: $0.handle, displayName: $0.displayName, email: $0.email, bio: $0.bio) }
    }

    /// The activities as stored at `now`, with `replies_count` derived from the replies in the seed.
    public func storedActivities(now: Date) -> [(activity: NewActivity, replyTo: UUID?, likes: Int, reposts: Int)] {
        let authors = Dictionary(uniqueKeysWithValues: users.map { ($0.handle.lowercased(), $0.uuid) })
        return activities.compactMap { seed in
            guard let author = authors[seed.handle.lowercased()] else { return nil }
            let createdAt = now.addingTimeInterval(TimeInterval(-seed.createdMinutesAgo * 60))
            let new = NewActivity(
                uuid: seed.uuid, authorUUID: author, message: seed.message, visibility: seed.visibility,
                expiresAt: now.addingTimeInterval(TimeInterval(seed.expiresInMinutes * 60)), createdAt: createdAt)
            return (new, seed.replyTo, seed.likesCount, seed.repostsCount)
        }
    }

    /// The direct messages as stored at `now`: each with its conversation's uuid and the two members.
    public func storedMessages(now: Date) -> [(group: UUID, members: (UUID, UUID), message: NewMessage)] {
        let ids = Dictionary(uniqueKeysWithValues: users.map { ($0.handle.lowercased(), $0.uuid) })
        return messages.compactMap { seed in
            guard let from = ids[seed.from.lowercased()], let to = ids[seed.to.lowercased()], from != to else {
                return nil
            }
            let new = NewMessage(
                uuid: seed.uuid, authorUUID: from, recipient: .group(seed.group), message: seed.message,
                createdAt: now.addingTimeInterval(TimeInterval(-seed.createdMinutesAgo * 60)))
            return (seed.group, (from, to), new)
        }
    }
}
