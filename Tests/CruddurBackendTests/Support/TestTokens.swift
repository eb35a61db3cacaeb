import CruddurAuth
import CryptoExtras
import Foundation

/// Signs test JWTs, valid by default, with any header or claim changed or removed.
enum TestTokens {
    static let region = "us-east-1"
    static let poolID = "us-east-1_TestPool1"
    static let clientID = "test-client-1"
    static let issuer = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool1"

    static let pool = CognitoConfiguration.Pool(
        region: region, poolID: poolID, clientIDs: [clientID], endpoint: "http://127.0.0.1:9")

    /// The claims of a valid access token for `sub`, expiring in an hour.
    static func claims(sub: String = "sub-andrew", username: String = "andrew", now: Date = Date()) -> [String: Any] {
        let seconds = Int(now.timeIntervalSince1970)
        return [
            "sub": sub, "username": username, "client_id": clientID, "token_use": "access", "iss": issuer,
            "iat": seconds, "auth_time": seconds, "exp": seconds + 3600, "scope": "aws.cognito.signin.user.admin",
            "jti": UUID().uuidString,
        ]
    }

    /// A compact JWS over `header` and `claims`, signed RS256 by `key` unless `sign` says otherwise.
    static func token(
        header: [String: Any] = ["alg": "RS256", "kid": "key-1"], claims: [String: Any] = claims(),
        key: _RSA.Signing.PrivateKey = TestKeys.primary,
        sign: (_ input: Data, _ key: _RSA.Signing.PrivateKey) -> Data = rs256
    ) -> String {
        let headerPart = Base64URL.encode(try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]))
        let claimsPart = Base64URL.encode(try! JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let input = "\(headerPart).\(claimsPart)"
        return "\(input).\(Base64URL.encode(sign(Data(input.utf8), key)))"
    }

    /// `claims()` with `changes` applied; a `nil` value removes the claim.
    static func claims(_ changes: [String: Any?], sub: String = "sub-andrew") -> [String: Any] {
        var claims = claims(sub: sub)
        for (name, value) in changes { claims[name] = value }
        return claims
    }

    static func rs256(_ input: Data, _ key: _RSA.Signing.PrivateKey) -> Data {
        try! key.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation
    }

    static func ps256(_ input: Data, _ key: _RSA.Signing.PrivateKey) -> Data {
        try! key.signature(for: input, padding: .PSS).rawRepresentation
    }

    /// A verifier for the test pool over a fixed key set.
    static func verifier(
        set: JSONWebKeySet = TestKeys.defaultSet, clock: @escaping @Sendable () -> Date = { Date() }
    ) -> CognitoTokenVerifier {
        CognitoTokenVerifier(pool: pool, keys: JWKSCache(fetcher: FixedJWKSFetcher(set: set)), clock: clock)
    }
}
