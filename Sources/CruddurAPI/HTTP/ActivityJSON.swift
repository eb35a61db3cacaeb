import CruddurDomain
import Foundation
import NIOCore

/// Writes activities as JSON straight into bytes. Feeds are the hottest responses, and
/// Foundation's `JSONEncoder` spends more time on a page of twenty cruds than the rest of the request;
/// this writer produces the same document (keys in the spec's order) for a fraction of the cost.
/// `ActivityJSONTests` holds it equal to `JSONEncoder`'s output.
public enum ActivityJSON {
    /// `[Activity, …]` as a JSON array.
    public static func array(_ activities: [Activity]) -> ByteBuffer {
        var bytes = JSONBytes(capacity: 512 * max(1, activities.count))
        write(activities, into: &bytes)
        return bytes.buffer()
    }

    /// One activity as a JSON object.
    public static func object(_ activity: Activity) -> ByteBuffer {
        var bytes = JSONBytes(capacity: 512)
        write(activity, into: &bytes)
        return bytes.buffer()
    }

    static func write(_ activities: [Activity], into output: inout some JSONOutput) {
        output.append(byte: UInt8(ascii: "["))
        for (index, activity) in activities.enumerated() {
            if index > 0 { output.append(byte: UInt8(ascii: ",")) }
            write(activity, into: &output)
        }
        output.append(byte: UInt8(ascii: "]"))
    }

    static func write(_ activity: Activity, into output: inout some JSONOutput) {
        output.append("{\"uuid\":\"")
        JSONScalars.writeUUID(activity.uuid, into: &output)
        output.append("\",\"display_name\":")
        JSONScalars.writeString(activity.displayName, into: &output)
        output.append(",\"handle\":")
        JSONScalars.writeString(activity.handle, into: &output)
        output.append(",\"message\":")
        JSONScalars.writeString(activity.message, into: &output)
        output.append(",\"replies_count\":")
        JSONScalars.writeInteger(activity.repliesCount, into: &output)
        output.append(",\"reposts_count\":")
        JSONScalars.writeInteger(activity.repostsCount, into: &output)
        output.append(",\"likes_count\":")
        JSONScalars.writeInteger(activity.likesCount, into: &output)
        output.append(",\"reply_to_activity_uuid\":")
        if let parent = activity.replyToActivityUUID {
            output.append(byte: UInt8(ascii: "\""))
            JSONScalars.writeUUID(parent, into: &output)
            output.append(byte: UInt8(ascii: "\""))
        } else {
            output.append("null")
        }
        output.append(",\"expires_at\":\"")
        JSONScalars.writeTimestamp(activity.expiresAt, into: &output)
        output.append("\",\"created_at\":\"")
        JSONScalars.writeTimestamp(activity.createdAt, into: &output)
        output.append("\",\"replies\":")
        write(activity.replies, into: &output)
        output.append(byte: UInt8(ascii: "}"))
    }
}
