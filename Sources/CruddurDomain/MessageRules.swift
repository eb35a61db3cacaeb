import Foundation

/// What a valid crud or reply message is, and how its length is measured. This is the one definition:
/// `db/migrations/0004_message_measure.sql` writes the same bounds into the schema's CHECK, and
/// `MessageMeasureTests` holds the two to each other on PostgreSQL.
public enum MessageRules {
    /// A message's size limits, in the three units a string has.
    public struct Limit: Sendable, Equatable {
        /// User-perceived characters (grapheme clusters): the rule users see.
        public let characters: Int
        /// Unicode scalars, what PostgreSQL's `char_length` counts: bounds a message that is short in
        /// characters but long in combining marks or joiners (at most 4 per character on average), and
        /// with it the bytes (at most 4 per scalar).
        public var scalars: Int { characters * 4 }

        public init(characters: Int) {
            self.characters = characters
        }
    }

    /// Cruds: 280 characters.
    public static let activity = Limit(characters: 280)
    /// Replies (and direct messages): 1024 characters.
    public static let reply = Limit(characters: 1024)

    /// The longest crud, in characters (not bytes).
    public static var maxActivityLength: Int { activity.characters }
    /// The longest reply, in characters.
    public static var maxReplyLength: Int { reply.characters }

    /// The validation codes `message` fails, in the spec's order; empty when it is valid.
    /// A missing or non-string message counts as blank. The length is measured on the message as sent,
    /// padding and NUL included, as `openapi.yaml`'s `maxLength` measures it: a schema-valid message is
    /// never too long, and a schema-invalid one never accepted for having been trimmed to fit.
    public static func problems(message: String?, limit: Limit) -> [String] {
        guard let message, !normalized(message).isEmpty else { return ["message_blank"] }
        var problems: [String] = []
        if !fits(message, limit) { problems.append("message_exceed_max_chars") }
        return problems
    }

    /// Whether `message` is within `limit` in characters and in scalars. Counting scalars first, and
    /// stopping early, keeps a 64 KiB run of joiners from costing a full grapheme walk.
    public static func fits(_ message: String, _ limit: Limit) -> Bool {
        var scalars = 0
        for _ in message.unicodeScalars {
            scalars += 1
            if scalars > limit.scalars { return false }
        }
        return message.count <= limit.characters
    }

    /// The message as stored: NUL dropped (PostgreSQL text cannot hold it, and no client means to send
    /// one), then surrounding white space trimmed. A message of NULs and white space is blank.
    public static func normalized(_ message: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: message.unicodeScalars.lazy.filter { $0 != "\u{0}" })
        return String(scalars).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
