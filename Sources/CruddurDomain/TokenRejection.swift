/// Why an access token was refused. The description names what failed and never echoes the token.
public enum TokenRejection: Error, Sendable, Equatable {
    case malformed(String)
    case tooLong
    case unsupportedAlgorithm
    case unknownKey
    case badSignature
    case wrongIssuer
    case notAccessToken
    case wrongClient
    case expired
    case notYetValid
    case issuedInFuture
    case invalidClaim(String)
    /// No key set is loaded (the JWKS endpoint has never answered) or no pool is configured.
    case keysUnavailable
    case verificationDisabled

    /// A short, bounded name for metrics and logs (no token text, no free-form reason).
    public var reason: String {
        switch self {
        case .malformed: "malformed"
        case .tooLong: "too_long"
        case .unsupportedAlgorithm: "unsupported_algorithm"
        case .unknownKey: "unknown_key"
        case .badSignature: "bad_signature"
        case .wrongIssuer: "wrong_issuer"
        case .notAccessToken: "not_access_token"
        case .wrongClient: "wrong_client"
        case .expired: "expired"
        case .notYetValid: "not_yet_valid"
        case .issuedInFuture: "issued_in_future"
        case .invalidClaim: "invalid_claim"
        case .keysUnavailable: "keys_unavailable"
        case .verificationDisabled: "verification_disabled"
        }
    }

    /// The `error_description` sent in `WWW-Authenticate`.
    public var description: String {
        switch self {
        case .malformed(let reason): "malformed token: \(reason)"
        case .tooLong: "token too long"
        case .unsupportedAlgorithm: "unsupported algorithm: only RS256 is accepted"
        case .unknownKey: "unknown signing key"
        case .badSignature: "signature does not verify"
        case .wrongIssuer: "wrong issuer"
        case .notAccessToken: "not an access token"
        case .wrongClient: "wrong client"
        case .expired: "token expired"
        case .notYetValid: "token not yet valid"
        case .issuedInFuture: "token issued in the future"
        case .invalidClaim(let name): "invalid claim: \(name)"
        case .keysUnavailable: "signing keys unavailable"
        case .verificationDisabled: "token verification is not configured"
        }
    }
}
