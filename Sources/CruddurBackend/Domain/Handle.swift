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

    private static func isHandleByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
