import CruddurDomain
import Foundation
import Logging

/// The embedded store: users and cruds in memory, for zero-configuration runs and tests.
/// Everything written is lost when the process ends.
public actor CruddurMemoryStore {
    struct Row: Sendable {
        var new: NewActivity
        var replyTo: UUID?
        var repliesCount = 0
        var likesCount = 0
        var repostsCount = 0
        /// The users its message mentions (never its author).
        var mentioned: Set<UUID> = []
    }

    var users: [UUID: User] = [:]
    /// Every crud and reply, ordered newest first by (created_at, uuid).
    var rows: [Row] = []
    var rowIndex: [UUID: Int] = [:]
    /// Idempotency keys by author and key: the request's hash, what it created, and when.
    var idempotencyKeys: [IdempotencySlot: (hash: Data, activity: UUID, createdAt: Date)] = [:]
    /// Conversations by uuid, and every direct message in the order written.
    var messageGroups: [UUID: StoredGroup] = [:]
    var directMessages: [StoredMessage] = []

    struct IdempotencySlot: Hashable {
        var author: UUID
        var key: String
    }

    public init() {}

    /// A store holding the demo cast of `seed` as of `now`.
    public init(seed: SeedData, now: Date = Date()) {
        for user in seed.storedUsers { users[user.uuid] = user }
        var seeded = seed.storedActivities(now: now).map {
            Row(new: $0.activity, replyTo: $0.replyTo, likesCount: $0.likes, repostsCount: $0.reposts)
        }
        let replyCounts = Dictionary(seeded.compactMap { $0.replyTo }.map { ($0, 1) }, uniquingKeysWith: +)
        for index in seeded.indices {
            seeded[index].repliesCount = replyCounts[seeded[index].new.uuid] ?? 0
            seeded[index].mentioned = Self.mentioned(by: seeded[index].new, users: users)
        }
        (rows, rowIndex) = Self.ordered(seeded)
        for (group, members, message) in seed.storedMessages(now: now) {
            let last = max(messageGroups[group]?.lastMessageAt ?? message.createdAt, message.createdAt)
            messageGroups[group] = StoredGroup(uuid: group, members: [members.0, members.1], lastMessageAt: last)
            directMessages.append(
                StoredMessage(
                    uuid: message.uuid, group: group, author: message.authorUUID, message: message.message,
                    createdAt: message.createdAt))
        }
    }

    /// The users `activity`'s message mentions, other than its author.
    func mentioned(by activity: NewActivity) -> Set<UUID> { Self.mentioned(by: activity, users: users) }

    static func mentioned(by activity: NewActivity, users: [UUID: User]) -> Set<UUID> {
        let handles = Set(Handle.mentioned(in: activity.message))
        return Set(users.values.filter { handles.contains($0.handle.lowercased()) }.map(\.uuid))
            .subtracting([activity.authorUUID])
    }

    func reindex() {
        (rows, rowIndex) = Self.ordered(rows)
    }

    static func ordered(_ unordered: [Row]) -> ([Row], [UUID: Int]) {
        let rows = unordered.sorted { lhs, rhs in
            let left = FeedCursor(createdAt: lhs.new.createdAt, uuid: lhs.new.uuid)
            return left.admits(createdAt: rhs.new.createdAt, uuid: rhs.new.uuid)
        }
        return (rows, Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1.new.uuid, $0) }))
    }

    func isVisible(_ row: Row, readable: [Visibility], now: Date) -> Bool {
        row.new.expiresAt > now && readable.contains(row.new.visibility)
    }

    func render(_ row: Row, withReplies: Bool, readable: [Visibility], now: Date) -> Activity {
        let author = users[row.new.authorUUID]
        var replies: [Activity] = []
        if withReplies && row.repliesCount > 0 {
            replies = rows.lazy
                .filter { $0.replyTo == row.new.uuid && self.isVisible($0, readable: readable, now: now) }
                .prefix(Activity.embeddedReplies)
                .map { self.render($0, withReplies: false, readable: readable, now: now) }
                .reversed()
        }
        return Activity(
            uuid: row.new.uuid, displayName: author?.displayName ?? "", handle: author?.handle ?? "",
            message: row.new.message, repliesCount: row.repliesCount, repostsCount: row.repostsCount,
            likesCount: row.likesCount, replyToActivityUUID: row.replyTo, visibility: row.new.visibility,
            expiresAt: row.new.expiresAt, createdAt: row.new.createdAt, replies: replies)
    }

    /// Reads one page newest first from the rows that `include` admits.
    func page(
        readable: [Visibility], page: PageRequest, now: Date, withReplies: Bool, include: (Row) -> Bool
    ) -> FeedPage {
        var found: [Activity] = []
        for row in rows where isVisible(row, readable: readable, now: now) && include(row) {
            if let before = page.before, !before.admits(createdAt: row.new.createdAt, uuid: row.new.uuid) {
                continue
            }
            found.append(render(row, withReplies: withReplies, readable: readable, now: now))
            if found.count > page.limit { break }
        }
        return FeedPage(overfetched: found, limit: page.limit)
    }
}
