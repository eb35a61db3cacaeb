import Foundation

/// A keyset position in a newest-first feed: items strictly older than it come next.
///
/// `uuid` breaks ties between cruds created in the same microsecond; a cursor made from a bare timestamp
/// (the `before=<created_at>` form) has none and means "created strictly before".
public struct FeedCursor: Sendable, Equatable {
    /// Microseconds since 1970, the precision PostgreSQL keeps.
    public var createdAtMicros: Int64
    public var uuid: UUID?

    public init(createdAt: Date, uuid: UUID?) {
        self.createdAtMicros = Int64((createdAt.timeIntervalSince1970 * 1_000_000).rounded())
        self.uuid = uuid
    }

    public init(createdAtMicros: Int64, uuid: UUID?) {
        self.createdAtMicros = createdAtMicros
        self.uuid = uuid
    }

    public var createdAt: Date { Date(timeIntervalSince1970: Double(createdAtMicros) / 1_000_000) }

    /// Whether an item at (`createdAt`, `uuid`) comes after this cursor in newest-first order.
    public func admits(createdAt: Date, uuid: UUID) -> Bool {
        let micros = FeedCursor(createdAt: createdAt, uuid: nil).createdAtMicros
        if micros != createdAtMicros { return micros < createdAtMicros }
        guard let cursorUUID = self.uuid else { return false }
        return uuid.uuidString.lowercased() < cursorUUID.uuidString.lowercased()
    }

    /// The opaque form used in `Link` headers: `<micros>_<uuid>`.
    public var token: String {
        "\(createdAtMicros)_\(uuid?.uuidString.lowercased() ?? "")"
    }

    /// The instants a cursor may name: years 0001 to 9999, inside PostgreSQL's `timestamptz` range (and
    /// `Date`'s), so that no cursor a client sends can make the database raise "timestamp out of range".
    public static let validMicros: ClosedRange<Int64> = -62_135_596_800_000_000...253_402_300_799_999_999

    /// Reads either an opaque cursor, which must lie within ``validMicros``, or an RFC 3339 timestamp, which
    /// always can (four-digit years) and is clamped into ``validMicros``: "before 0000-12-31" reads nothing,
    /// as "before 0001-01-01" does.
    public init?(parameter: some StringProtocol) {
        guard let cursor = Self(unchecked: parameter), Self.validMicros.contains(cursor.createdAtMicros) else {
            return nil
        }
        self = cursor
    }

    private init?(unchecked parameter: some StringProtocol) {
        let text = Substring(parameter)
        if let separator = text.firstIndex(of: "_"), let micros = Int64(text[..<separator]) {
            let uuidText = text[text.index(after: separator)...]
            if uuidText.isEmpty {
                self.init(createdAtMicros: micros, uuid: nil)
            } else if let uuid = UUID(uuidString: String(uuidText)) {
                self.init(createdAtMicros: micros, uuid: uuid)
            } else {
                return nil
            }
        } else if let micros = RFC3339.microseconds(from: Array(text.utf8.prefix(64))), text.utf8.count <= 64 {
            self.init(
                createdAtMicros: min(max(micros, Self.validMicros.lowerBound), Self.validMicros.upperBound), uuid: nil)
        } else {
            return nil
        }
    }
}

/// Which page of a feed to read.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maxLimit = 100

    public var limit: Int
    public var before: FeedCursor?

    public init(limit: Int = PageRequest.defaultLimit, before: FeedCursor? = nil) {
        self.limit = limit
        self.before = before
    }
}

/// One page of a feed and where the next one starts, if there is one.
public struct FeedPage: Sendable {
    public var items: [Activity]
    public var next: FeedCursor?

    public init(items: [Activity], next: FeedCursor?) {
        self.items = items
        self.next = next
    }

    /// Builds a page from up to `limit + 1` items read newest first.
    public init(overfetched items: [Activity], limit: Int) {
        if items.count > limit {
            self.items = Array(items.prefix(limit))
            self.next = self.items.last?.cursor
        } else {
            self.items = items
            self.next = nil
        }
    }
}
