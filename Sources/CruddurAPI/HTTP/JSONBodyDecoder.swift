import CruddurDomain
import Foundation
import Hummingbird

/// Reads JSON request bodies: JSON content type only, at most `limit` bytes, one JSON object.
public struct JSONBodyDecoder: Sendable {
    /// The default cap on a request body: 64 KiB.
    public static let defaultBytes = 64 * 1024

    public let bytes: Int

    public init(bytes: Int = JSONBodyDecoder.defaultBytes) {
        self.bytes = bytes
    }

    /// Decodes the body as `T`: 415 for another content type, 413 over the limit, 400 for malformed JSON
    /// or a body that is not a JSON object. Field-level problems are `T`'s to report.
    public func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        guard Self.isJSON(request.headers[.contentType]) else { throw APIError.unsupportedMediaType }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > bytes {
            throw APIError.payloadTooLarge(limit: bytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: bytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: bytes)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.typeMismatch(_, let context) where context.codingPath.isEmpty {
            throw APIError.badRequest(code: "invalid_body", message: "The body must be a JSON object")
        } catch DecodingError.valueNotFound(_, let context) where context.codingPath.isEmpty {
            throw APIError.badRequest(code: "invalid_body", message: "The body must be a JSON object")
        } catch {
            throw APIError.badRequest(code: "malformed_json", message: "The body is not valid JSON")
        }
    }

    /// `application/json` or `application/<something>+json`, any parameters, any case.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType =
            contentType.split(separator: ";", maxSplits: 1).first?
            .trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}

/// A JSON object field read leniently: a value of the wrong type reads as `nil`, so that validation
/// reports it with the field's own code instead of failing the whole body.
extension KeyedDecodingContainer {
    func lenientString(forKey key: Key) -> String? {
        (try? decodeIfPresent(String.self, forKey: key)) ?? nil
    }

    /// As ``lenientString(forKey:)``, but a value of the wrong type (not null) reads as `""`: the field was
    /// given, and validation reports it as blank rather than as missing.
    func givenString(forKey key: Key) -> String? {
        if let text = lenientString(forKey: key) { return text }
        guard contains(key), (try? decodeNil(forKey: key)) == false else { return nil }
        return ""
    }
}
