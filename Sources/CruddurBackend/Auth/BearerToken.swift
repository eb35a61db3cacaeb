import HTTPTypes
import Hummingbird

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
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard let scheme = parts.first, scheme.lowercased() == "bearer" else {
            return .refused(.malformed("the Authorization scheme must be Bearer"))
        }
        guard parts.count == 2 else { return .refused(.malformed("expected exactly one token after Bearer")) }
        let token = parts[1]
        if token == "null" || token == "undefined" { return .none }
        guard token.utf8.count <= maxBytes else { return .refused(.tooLong) }
        return .token(token)
    }
}
