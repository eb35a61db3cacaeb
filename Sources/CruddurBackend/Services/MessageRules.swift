import Foundation

/// What a valid crud or reply message is.
public enum MessageRules {
    /// The longest crud, in characters (not bytes).
    public static let maxCrudLength = 280
    /// The longest reply, in characters.
    public static let maxReplyLength = 1024

    /// The validation codes `message` fails, in the spec's order; empty when it is valid.
    /// A missing or non-string message counts as blank.
    public static func problems(message: String?, maxLength: Int) -> [String] {
        guard let message = message.map(normalized), !message.isEmpty else { return ["message_blank"] }
        var problems: [String] = []
        if message.count > maxLength { problems.append("message_exceed_max_chars") }
        // PostgreSQL text cannot hold NUL, and no client means to send one.
        if message.unicodeScalars.contains("\u{0}") { problems.append("message_invalid_characters") }
        return problems
    }

    /// The message as stored: surrounding white space trimmed.
    public static func normalized(_ message: String) -> String {
        message.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
