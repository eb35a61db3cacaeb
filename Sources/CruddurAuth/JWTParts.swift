import CruddurDomain
import Foundation

/// A compact JWS split and decoded, before any of it is trusted.
public struct JWTParts: Sendable {
    public let header: [String: JSONValue]
    public let claims: [String: JSONValue]
    /// The exact bytes the signature covers: `header.payload` as sent.
    public let signingInput: Substring.UTF8View
    public let signature: [UInt8]

    /// Splits `token` into three strict base64url segments whose first two are JSON objects.
    public init(token: Substring) throws(TokenRejection) {
        let segments = token.split(separator: ".", omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw .malformed("expected three segments") }
        guard let headerBytes = Base64URL.decode(segments[0].utf8),
            let payloadBytes = Base64URL.decode(segments[1].utf8),
            let signature = Base64URL.decode(segments[2].utf8)
        else { throw .malformed("segments must be unpadded base64url") }
        guard !signature.isEmpty else { throw .malformed("missing signature") }
        self.header = try Self.object(headerBytes, part: "header")
        self.claims = try Self.object(payloadBytes, part: "payload")
        self.signingInput = token[..<segments[2].startIndex].dropLast().utf8
        self.signature = signature
    }

    static func object(_ bytes: [UInt8], part: String) throws(TokenRejection) -> [String: JSONValue] {
        guard JSONMemberNames.isPlainUTF8Object(bytes),
            let object = try? JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
        else { throw .malformed("\(part) is not a JSON object") }
        guard !JSONMemberNames.hasDuplicate(in: bytes) else { throw .malformed("\(part) repeats a member name") }
        return object
    }
}
