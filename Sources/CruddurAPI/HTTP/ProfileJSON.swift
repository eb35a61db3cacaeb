import CruddurDomain
import NIOCore

/// Writes a profile as JSON straight into a `ByteBuffer`, the same document `JSONEncoder` writes from
/// ``Profile``'s `Encodable` conformance: a user's page is one profile and a page of cruds, and encoding the
/// profile through `JSONEncoder` was 3% of its CPU (perf), more than the page of cruds cost per row.
/// `ProfileJSONTests` holds the two equal.
public enum ProfileJSON {
    public static func object(_ profile: Profile) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        let user = profile.user
        buffer.writeStaticString("{\"uuid\":\"")
        JSONScalars.writeUUID(user.uuid, into: &buffer)
        buffer.writeStaticString("\",\"cognito_user_uuid\":")
        writeOptional(user.cognitoUserID, into: &buffer)
        buffer.writeStaticString(",\"handle\":")
        JSONScalars.writeString(user.handle, into: &buffer)
        buffer.writeStaticString(",\"display_name\":")
        JSONScalars.writeString(user.displayName, into: &buffer)
        buffer.writeStaticString(",\"bio\":")
        writeOptional(user.bio, into: &buffer)
        buffer.writeStaticString(",\"cruds_count\":")
        JSONScalars.writeDecimal(max(profile.crudsCount, 0), into: &buffer)
        buffer.writeStaticString(",\"created_at\":\"")
        JSONScalars.writeTimestamp(user.createdAt, into: &buffer)
        buffer.writeStaticString("\"}")
        return buffer
    }

    /// A short profile, `{"uuid", "handle", "display_name"}`: what `JSONEncoder` writes from ``UserShort``,
    /// which was 4% of the short profile route's CPU (perf).
    public static func short(_ user: UserShort) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: 128)
        buffer.writeStaticString("{\"uuid\":\"")
        JSONScalars.writeUUID(user.uuid, into: &buffer)
        buffer.writeStaticString("\",\"handle\":")
        JSONScalars.writeString(user.handle, into: &buffer)
        buffer.writeStaticString(",\"display_name\":")
        JSONScalars.writeString(user.displayName, into: &buffer)
        buffer.writeStaticString("}")
        return buffer
    }

    static func writeOptional(_ text: String?, into buffer: inout ByteBuffer) {
        if let text { JSONScalars.writeString(text, into: &buffer) } else { buffer.writeStaticString("null") }
    }
}
