import CruddurDomain
import Foundation
import NIOCore

/// Writes activities as JSON straight into a `ByteBuffer`. Feeds are the hottest responses, and
/// Foundation's `JSONEncoder` spends more time on a page of twenty cruds than the rest of the request;
/// this writer produces the same document (keys in the spec's order) for a fraction of the cost.
/// `ActivityJSONTests` holds it equal to `JSONEncoder`'s output.
public enum ActivityJSON {
    /// `[Activity, …]` as a JSON array.
    public static func array(_ activities: [Activity]) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 512 * max(1, activities.count))
        write(activities, into: &buffer)
        return buffer
    }

    /// One activity as a JSON object.
    public static func object(_ activity: Activity) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 512)
        write(activity, into: &buffer)
        return buffer
    }

    static func write(_ activities: [Activity], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, activity) in activities.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            write(activity, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
    }

    static func write(_ activity: Activity, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("{\"uuid\":\"")
        writeUUID(activity.uuid, into: &buffer)
        buffer.writeStaticString("\",\"display_name\":")
        writeString(activity.displayName, into: &buffer)
        buffer.writeStaticString(",\"handle\":")
        writeString(activity.handle, into: &buffer)
        buffer.writeStaticString(",\"message\":")
        writeString(activity.message, into: &buffer)
        buffer.writeStaticString(",\"replies_count\":")
        buffer.writeString(String(activity.repliesCount))
        buffer.writeStaticString(",\"reposts_count\":")
        buffer.writeString(String(activity.repostsCount))
        buffer.writeStaticString(",\"likes_count\":")
        buffer.writeString(String(activity.likesCount))
        buffer.writeStaticString(",\"reply_to_activity_uuid\":")
        if let parent = activity.replyToActivityUUID {
            buffer.writeInteger(UInt8(ascii: "\""))
            writeUUID(parent, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(",\"expires_at\":\"")
        writeTimestamp(activity.expiresAt, into: &buffer)
        buffer.writeStaticString("\",\"created_at\":\"")
        writeTimestamp(activity.createdAt, into: &buffer)
        buffer.writeStaticString("\",\"replies\":")
        write(activity.replies, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
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
    static func writeUUID(_ uuid: UUID, into buffer: inout ByteBuffer) {
        let hex: StaticString = "0123456789abcdef"
        _ = withUnsafeBytes(of: uuid.uuid) { bytes in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { raw in
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
