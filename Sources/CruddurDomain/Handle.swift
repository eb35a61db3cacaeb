/// The rules for user handles (`@andrewbrown`).
public enum Handle {
    /// The longest handle a user can have.
    public static let maxLength = 32

    /// Whether `text` can be a handle: 1–32 ASCII letters, digits, `_`, `.` or `-`, not starting with `.`,
    /// with no `..`. Anything else cannot name a user, so lookups answer "not found" without a query.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        guard !text.isEmpty, text.utf8.count <= maxLength, text.first != ".", !text.contains("..") else {
            return false
        }
        return text.utf8.allSatisfy(isHandleByte)
    }

    /// Turns a Cognito `preferred_username` into a valid handle (dropping other characters), or `user`.
    public static func sanitized(_ text: String) -> String {
        var bytes = Array(text.utf8.filter(isHandleByte).prefix(maxLength - 4))
        while bytes.first == UInt8(ascii: ".") { bytes.removeFirst() }
        var handle = String(decoding: bytes, as: UTF8.self)
        while handle.contains("..") { handle = handle.replacingOccurrences(of: "..", with: ".") }
        return handle.isEmpty ? "user" : handle
    }

    /// The handles tried, in order, for a new user who wants `base`: `base`, `base_2`, `base_3`, …
    public static func candidates(for base: String) -> some Sequence<String> {
        (1...).lazy.map { $0 == 1 ? base : "\(base)_\($0)" }
    }

    /// The handles `message` names as `@handle`, lowercased, each once, in order. An `@` right after a
    /// letter, digit or `_` (an email address) names nobody; a trailing `.` or `-` is punctuation, not part
    /// of the handle. Whether a user has the handle is the store's question.
    public static func mentioned(in message: String) -> [String] {
        let bytes = Array(message.utf8)
        var found: [String] = []
        var index = 0
        while index < bytes.count {
            defer { index += 1 }
            guard bytes[index] == UInt8(ascii: "@") else { continue }
            if index > 0, isHandleByte(bytes[index - 1]), bytes[index - 1] != UInt8(ascii: "."),
                bytes[index - 1] != UInt8(ascii: "-")
            {
                continue
            }
            var end = index + 1
            while end < bytes.count, isHandleByte(bytes[end]) { end += 1 }
            var handle = bytes[(index + 1)..<end]
            while let last = handle.last, last == UInt8(ascii: ".") || last == UInt8(ascii: "-") {
                handle = handle.dropLast()
            }
            let text = String(decoding: handle, as: UTF8.self).lowercased()
            if isValid(text), !found.contains(text) { found.append(text) }
            index = end - 1
        }
        return found
    }

    private static func isHandleByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
