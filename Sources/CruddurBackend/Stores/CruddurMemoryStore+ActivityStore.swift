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
            guard let parent = row.replyTo, let index = rowIndex[parent] else { return false }
            return rows[index].new.authorUUID == userUUID && row.new.authorUUID != userUUID
        }
    }

    public func userFeed(
        handle: String, readable: [Visibility], page: PageRequest, now: Date, logger: Logger
    ) -> FeedPage? {
        guard let user = lookUp(handle: handle) else { return nil }
        return self.page(readable: readable, page: page, now: now, withReplies: true) {
            $0.replyTo == nil && $0.new.authorUUID == user.uuid
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
        return render(rows[index], withReplies: true, readable: readable, now: now)
    }

    public func insertActivity(_ activity: NewActivity, logger: Logger) throws -> Activity {
        guard users[activity.authorUUID] != nil else { throw StoreError.unknownAuthor }
        rows.append(Row(new: activity))
        reindex()
        return render(rows[rowIndex[activity.uuid]!], withReplies: false, readable: [], now: activity.createdAt)
    }

    public func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, logger: Logger
    ) throws -> Activity? {
        guard users[reply.authorUUID] != nil else { throw StoreError.unknownAuthor }
        guard let parentIndex = rowIndex[parent], isVisible(rows[parentIndex], readable: readable, now: now) else {
            return nil
        }
        rows[parentIndex].repliesCount += 1
        rows.append(Row(new: reply, replyTo: parent))
        reindex()
        return render(rows[rowIndex[reply.uuid]!], withReplies: false, readable: readable, now: now)
    }

    public func checkHealth(logger: Logger) -> DependencyState { .memory }
}

/// Failures a store reports that are the caller's or the data's fault, not the storage's.
public enum StoreError: Error, Equatable {
    /// The author of a new crud has no users row.
    case unknownAuthor
}
