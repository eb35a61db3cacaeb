/// Failures a store reports that are the caller's or the data's fault, not the storage's.
public enum StoreError: Error, Equatable {
    /// The author of a new crud has no users row.
    case unknownAuthor
    /// PostgreSQL refused a value (SQLSTATE class 22, data exception, or 23, integrity violation).
    case rejectedValue(sqlState: String)
    /// The caller sent this `Idempotency-Key` before with a different request.
    case idempotencyKeyReused
    /// Every handle candidate for a new user is taken.
    case noFreeHandle
}

/// A store could not reach its database; answered as 503.
public struct StoreUnavailableError: Error, Sendable {
    public let reason: String
    /// Answered at once because the outage breaker is open, without trying the database.
    public let breakerOpen: Bool

    public init(reason: String, breakerOpen: Bool = false) {
        self.reason = reason
        self.breakerOpen = breakerOpen
    }
}
