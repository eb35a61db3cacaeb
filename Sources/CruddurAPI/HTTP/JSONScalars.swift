import CruddurDomain
import Foundation

/// JSON's scalars written straight into a ``JSONOutput``: integers, timestamps, UUIDs and escaped strings,
/// without a `String` in between. The activity and profile writers and the JSON log lines all use them.
enum JSONScalars {
    /// An integer's decimal digits, a minus sign first when negative, without making a `String` of them (three
    /// `String(Int)` per crud were sixty allocations a page).
    static func writeInteger(_ value: Int, into output: inout some JSONOutput) {
        if value < 0 { output.append(byte: UInt8(ascii: "-")) }
        writeDecimal(value.magnitude, into: &output)
    }

    static func writeTimestamp(_ date: Date, into output: inout some JSONOutput) {
        output.append(upTo: 24) { raw in RFC3339.write(date, into: raw.bindMemory(to: UInt8.self)) }
    }

    /// A non-negative integer's decimal digits, without making a `String` of them.
    static func writeDecimal(_ value: some BinaryInteger, into output: inout some JSONOutput) {
        let value = UInt64(value)
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        output.append(upTo: count) { raw in
            var remaining = value
            for index in stride(from: count - 1, through: 0, by: -1) {
                raw[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            return count
        }
    }

    /// A UUID in lower case, without going through `uuidString` (which formats with `sprintf`).
    static func writeUUID(_ uuid: UUID, into output: inout some JSONOutput) {
        let hex: StaticString = "0123456789abcdef"
        withUnsafeBytes(of: uuid.uuid) { bytes in
            output.append(upTo: 36) { raw in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        raw[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    raw[position] = hex.utf8Start[Int(byte >> 4)]
                    raw[position + 1] = hex.utf8Start[Int(byte & 0x0F)]
                    position += 2
                }
                return position
            }
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func writeString(_ text: String, into output: inout some JSONOutput) {
        var text = text
        text.withUTF8 { writeString(utf8: $0, into: &output) }
    }

    static func writeString(_ text: Substring, into output: inout some JSONOutput) {
        var text = text
        text.withUTF8 { writeString(utf8: $0, into: &output) }
    }

    /// UTF-8 bytes as a JSON string: quotes, backslashes and control characters escaped.
    static func writeString(utf8 bytes: UnsafeBufferPointer<UInt8>, into output: inout some JSONOutput) {
        output.append(byte: UInt8(ascii: "\""))
        var pending = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
            output.append(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[pending..<index])))
            switch byte {
            case UInt8(ascii: "\""): output.append("\\\"")
            case UInt8(ascii: "\\"): output.append("\\\\")
            case UInt8(ascii: "\n"): output.append("\\n")
            case UInt8(ascii: "\r"): output.append("\\r")
            case UInt8(ascii: "\t"): output.append("\\t")
            default:
                let hex: StaticString = "0123456789abcdef"
                output.append("\\u00")
                output.append(byte: hex.utf8Start[Int(byte >> 4)])
                output.append(byte: hex.utf8Start[Int(byte & 0x0F)])
            }
            pending = index + 1
        }
        output.append(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[pending...])))
        output.append(byte: UInt8(ascii: "\""))
    }
}
