import CruddurDomain
import CruddurStore
import Foundation
import Logging

extension ActivityStore {
    /// A write without an idempotency key, as most tests make.
    func insertActivity(_ activity: NewActivity, logger: Logger) async throws -> Activity {
        try await insertActivity(activity, idempotency: nil, logger: logger)
    }

    /// A reply without an idempotency key.
    func insertReply(
        _ reply: NewActivity, to parent: UUID, readable: [Visibility], now: Date, logger: Logger
    ) async throws -> Activity? {
        try await insertReply(reply, to: parent, readable: readable, now: now, idempotency: nil, logger: logger)
    }
}
