import CruddurDomain
import HTTPTypes

/// Finds the bearer token in a request's `Authorization` header(s).
public enum BearerToken {
    /// The most bytes a token may have.
    public static let maxBytes = 8 * 1024

    /// What the request carries: nothing, a token, or a header we refuse to interpret.
    public enum Extraction: Equatable {
        case none
        case token(Substring)
        case refused(TokenRejection)
    }

    /// Reads the `Authorization` header: one header, `Bearer` (any case), exactly one token of at most 8 KiB.
    /// The literals `null` and `undefined`, which some frontends send when signed out, count as no token.
    public static func extract(from headers: HTTPFields) -> Extraction {
        let values = headers[values: .authorization]
        guard let value = values.first else { return .none }
        guard values.count == 1 else { return .refused(.malformed("more than one Authorization header")) }
        // Bytes, not Characters: this runs on every request, over a kilobyte of token.
        let bytes = value.utf8
        let space = UInt8(ascii: " ")
        guard let schemeEnd = bytes.firstIndex(of: space),
            let tokenStart = bytes[schemeEnd...].firstIndex(where: { $0 != space })
        else {
            return value.lowercased() == "bearer" || value.lowercased().hasPrefix("bearer ")
                ? .refused(.malformed("expected exactly one token after Bearer"))
                : .refused(.malformed("the Authorization scheme must be Bearer"))
        }
        guard Self.isBearer(bytes[..<schemeEnd]) else {
            return .refused(.malformed("the Authorization scheme must be Bearer"))
        }
        var tokenEnd = bytes.endIndex
        while tokenEnd > tokenStart, bytes[bytes.index(before: tokenEnd)] == space {
            tokenEnd = bytes.index(before: tokenEnd)
        }
        let token = Substring(bytes[tokenStart..<tokenEnd])
        // Over the contiguous bytes: the UTF-8 view's iterator, a byte at a time, was 2.8% of a signed-in
        // health check's CPU samples (perf).
        let hasSpace = token.utf8.withContiguousStorageIfAvailable { $0.contains(space) } ?? token.utf8.contains(space)
        guard !hasSpace else {
            return .refused(.malformed("expected exactly one token after Bearer"))
        }
        if token == "null" || token == "undefined" { return .none }
        guard token.utf8.count <= maxBytes else { return .refused(.tooLong) }
        return .token(token)
    }

    /// `Bearer` in any case.
    static func isBearer(_ scheme: Substring.UTF8View) -> Bool {
        scheme.count == 6 && zip(scheme, "bearer".utf8).allSatisfy { $0 | 0x20 == $1 }
    }
}
