import Foundation

/// Checks on a JWT segment's JSON that a JSON parser does not make: RFC 7515 §4 and RFC 7519 §4 say a
/// token whose header or claims repeat a member name must be rejected (parsers keep one of them, and two
/// parsers may keep different ones), and the segment must be UTF-8 JSON with no byte order mark (Foundation
/// would also read UTF-16 and UTF-32). Hand-written because no JSON package in the mirror reports
/// duplicate names; it runs only on a verified-token cache miss.
enum JSONMemberNames {
    /// Whether `bytes` is UTF-8 that starts with `{` after optional white space, with no byte order mark.
    static func isPlainUTF8Object(_ bytes: [UInt8]) -> Bool {
        guard String(validating: bytes, as: UTF8.self) != nil else { return false }
        let first = bytes.first { !Self.whitespace.contains($0) }
        return first == UInt8(ascii: "{")
    }

    /// Whether any object in `bytes` (well-formed JSON) names a member twice, escapes decoded.
    static func hasDuplicate(in bytes: [UInt8]) -> Bool {
        var objects: [Set<String>?] = []
        var expectKey = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                objects.append([])
                expectKey = true
            case UInt8(ascii: "["):
                objects.append(nil)
                expectKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                _ = objects.popLast()
                expectKey = false
            case UInt8(ascii: ","):
                expectKey = objects.last.map { $0 != nil } ?? false
            case UInt8(ascii: ":"):
                expectKey = false
            case UInt8(ascii: "\""):
                let end = stringEnd(bytes, from: index)
                if expectKey, let name = name(bytes[index...min(end, bytes.count - 1)]) {
                    guard objects[objects.count - 1]!.insert(name).inserted else { return true }
                    expectKey = false
                }
                index = end
            default:
                break
            }
            index += 1
        }
        return false
    }

    static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]

    /// The index of the quote that closes the string opening at `start`.
    static func stringEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return index
    }

    /// A member name from its quoted JSON form, escapes decoded.
    static func name(_ quoted: ArraySlice<UInt8>) -> String? {
        guard quoted.contains(UInt8(ascii: "\\")) else {
            return String(decoding: quoted.dropFirst().dropLast(), as: UTF8.self)
        }
        return try? JSONDecoder().decode(String.self, from: Data(quoted))
    }
}
