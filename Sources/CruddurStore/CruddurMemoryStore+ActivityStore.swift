import CruddurDomain
import CruddurRuntime
import Foundation
import Logging

extension CruddurMemoryStore: ActivityStore {
    public func homeFeed(readable: [Visibility], page: PageRequest, now: Date, logger: Logger) -> FeedPage {
        self.page(readable: readable, page: page, now: now, withReplies: true) { $0.replyTo == nil }
    }

    public func notifications(
        for userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) -> FeedPage {
        self.page(readable: readable, page: page, now: now, withReplies: false) { row in
            if row.mentioned.contains(userUUID) { return true }
            guard let parent = row.replyTo, let index = rowIndex[parent] else { return false }
            return rows[index].new.authorUUID == userUUID && row.new.authorUUID != userUUID
        }
    }

    public func userFeed(of userUUID: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        -> FeedPage
    {
        self.page(readable: readable, page: page, now: now, withReplies: true) {
            $0.replyTo == nil && $0.new.authorUUID == userUUID
        }
    }

    public func profile(handle: String, readable: [Visibility], now: Date, logger: Logger) -> CountedProfile? {
        guard let user = user(handle: handle, logger: logger) else { return nil }
        let counted = counted(of: user.uuid, readable: readable, now: now)
        return CountedProfile(
            profile: Profile(user: user, crudsCount: counted.count),
            countHoldsUntil: counted.map(\.new.expiresAt).min())
    }

    public func activitiesCount(of userUUID: UUID, readable: [Visibility], now: Date, logger: Logger) -> Int {
        counted(of: userUUID, readable: readable, now: now).count
    }

    /// The top-level cruds of `userUUID` that `readable` callers see at `now`: what a profile counts.
    func counted(of userUUID: UUID, readable: [Visibility], now: Date) -> [Row] {
        rows.filter {
            $0.replyTo == nil && $0.new.authorUUID == userUUID && self.isVisible($0, readable: readable, now: now)
        }
    }

    public func search(term: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        -> FeedPage
    {
        let needle = term.lowercased()
        return self.page(readable: readable, page: page, now: now, withReplies: true) {
            $0.new.message.lowercased().contains(needle)
        }
    }

    public func activity(_ uuid: UUID, readable: [Visibility], now: Date, logger: Logger) -> Activity? {
        guard let index = rowIndex[uuid], isVisible(rows[index], readable: readable, now: now) else { return nil }
        return render(rows[index], withReplies: false, readable: readable, now: now)
    }

    public func replies(to parent: UUID, readable: [Visibility], page: PageRequest, now: Date, logger: Logger)
        -> FeedPage
    {
        self.page(readable: readable, page: page, now: now, withReplies: false) { $0.replyTo == parent }
    }

    public func insertActivity(_ activity: NewActivity, idempotency: IdempotencyKey?, logger: Logger) throws
        -> Activity
    {
        guard users[activity.authorUUID] != nil else { throw StoreError.unknownAuthor }
        if let earlier = try replay(idempotency, author: activity.authorUUID, now: activity.createdAt) {
            return earlier
        }
        rows.append(Row(new: activity, mentioned: mentioned(by: activity)))
        reindex()
        remember(idempotency, author: activity.authorUUID, created: activity)
        return render(rows[rowIndex[activity.uuid]!], withReplies: false, readable: [], now: activity.createdAt)
    }

    public func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, idempotency: IdempotencyKey?,
        logger: Logger
    ) throws -> Activity? {
        guard users[reply.authorUUID] != nil else { throw StoreError.unknownAuthor }
        if let earlier = try replay(idempotency, author: reply.authorUUID, now: now) { return earlier }
        guard let parentIndex = rowIndex[parent], isVisible(rows[parentIndex], readable: readable, now: now) else {
            return nil
        }
        rows[parentIndex].repliesCount += 1
        rows.append(Row(new: reply, replyTo: parent, mentioned: mentioned(by: reply)))
        reindex()
        remember(idempotency, author: reply.authorUUID, created: reply)
        return render(rows[rowIndex[reply.uuid]!], withReplies: false, readable: readable, now: now)
    }

    /// What an earlier request with this key created, if the author sent it within its lifetime.
    func replay(_ key: IdempotencyKey?, author: UUID, now: Date) throws -> Activity? {
        guard let key, let earlier = idempotencyKeys[IdempotencySlot(author: author, key: key.key)],
            now.timeIntervalSince(earlier.createdAt) < IdempotencyKey.lifetime,
            let index = rowIndex[earlier.activity]
        else { return nil }
        guard earlier.hash == key.requestHash else { throw StoreError.idempotencyKeyReused }
        return render(rows[index], withReplies: false, readable: [.public, .members], now: now)
    }

    func remember(_ key: IdempotencyKey?, author: UUID, created: NewActivity) {
        guard let key else { return }
        if idempotencyKeys.count >= 100_000 {
            idempotencyKeys = idempotencyKeys.filter {
                created.createdAt.timeIntervalSince($0.value.createdAt) < IdempotencyKey.lifetime
            }
        }
        idempotencyKeys[IdempotencySlot(author: author, key: key.key)] = (
            key.requestHash, created.uuid, created.createdAt
        )
    }

    public func checkHealth(logger: Logger) -> DependencyState { .memory }
}
