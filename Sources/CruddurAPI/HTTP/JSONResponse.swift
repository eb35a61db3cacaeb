import Foundation
import HTTPTypes
import Hummingbird

/// Builds JSON responses with the API's content type.
public enum JSONResponse {
    public static let contentType = "application/json; charset=utf-8"

    /// A response holding `value` as JSON. Encoding our own types cannot fail; if it ever did, the
    /// client gets the generic 500 body rather than a half-written one.
    public static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        guard let body = encode(value) else {
            return Response(
                status: .internalServerError, headers: [.contentType: contentType],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"error":{"code":"internal_error","message":"Internal server error"}}"#)))
        }
        return bytes(body, status: status, headers: headers)
    }

    /// `value` as JSON bytes, keys sorted; `nil` if it cannot be encoded.
    public static func encode(_ value: some Encodable) -> ByteBuffer? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return (try? encoder.encode(value)).map { ByteBuffer(bytes: $0) }
    }

    /// `{"name": value, …}` from members already written as JSON, in the order given.
    public static func object(_ members: KeyValuePairs<StaticString, ByteBuffer>) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: members.reduce(16) { $0 + $1.value.readableBytes + 16 })
        buffer.writeInteger(UInt8(ascii: "{"))
        for (index, member) in members.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeStaticString(member.key)
            buffer.writeStaticString("\":")
            buffer.writeImmutableBuffer(member.value)
        }
        buffer.writeInteger(UInt8(ascii: "}"))
        return buffer
    }

    /// A response holding `body`, already JSON.
    public static func bytes(_ body: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }
}
