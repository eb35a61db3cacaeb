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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            return Response(
                status: .internalServerError, headers: [.contentType: contentType],
                body: .init(
                    byteBuffer: ByteBuffer(
                        string: #"{"error":{"code":"internal_error","message":"Internal server error"}}"#)))
        }
        return bytes(ByteBuffer(bytes: data), status: status, headers: headers)
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
