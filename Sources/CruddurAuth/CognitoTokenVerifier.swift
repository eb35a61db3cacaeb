import CruddurDomain
import CruddurRuntime
import Crypto
import CryptoExtras
import Foundation
import Tracing

/// Verifies Cognito access tokens locally, failing closed at the first check that fails, in this order:
/// framing (three base64url parts), header (`alg` RS256, a `kid` of the pool's key set), signature, then
/// claims (issuer, `token_use` access, client, then expiry, not-before and issued-at within the allowed
/// skew). Nothing is trusted before the signature verifies, and no header field chooses the algorithm or
/// the key beyond naming a `kid` of the pool's own key set.
public struct CognitoTokenVerifier: AccessTokenVerifier {
    let pool: CognitoConfiguration.Pool
    let keys: JWKSCache
    let cache: VerifiedTokenCache
    let skew: Double
    let clock: @Sendable () -> Date

    public init(
        pool: CognitoConfiguration.Pool, keys: JWKSCache, cache: VerifiedTokenCache = VerifiedTokenCache(),
        clockSkewSeconds: Int = 60, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.pool = pool
        self.keys = keys
        self.cache = cache
        self.skew = Double(clockSkewSeconds)
        self.clock = clock
    }

    public func keySetState() async -> DependencyState { keys.health }

    public func verify(_ token: Substring) async -> Result<CallerIdentity, TokenRejection> {
        let (result, cached) = await check(token)
        switch result {
        case .success: CruddurMetrics.tokenVerified(outcome: cached ? "cached" : "verified")
        case .failure(let rejection): CruddurMetrics.tokenVerified(outcome: rejection.reason)
        }
        return result
    }

    /// The verification, and whether it was answered from the verified-token cache.
    func check(_ token: Substring) async -> (Result<CallerIdentity, TokenRejection>, cached: Bool) {
        guard token.utf8.count <= BearerToken.maxBytes else { return (.failure(.tooLong), false) }
        let now = clock().timeIntervalSince1970
        let digest = VerifiedTokenCache.digest(of: token)
        // A cached token is still refused once expired, and verified again once its key leaves the key set
        // or the kid names other key material.
        if let entry = cache.entry(for: digest), keys.cachedFingerprint(kid: entry.kid) == entry.keyFingerprint {
            do {
                try checkTimes(exp: entry.expiresAt, nbf: entry.notBefore, iat: entry.issuedAt, now: now)
            } catch {
                cache.remove(digest)
                return (.failure(error), true)
            }
            var identity = entry.identity
            identity.accessToken = String(token)
            return (.success(identity), true)
        }
        do {
            // A span on a cache miss only: the hit is a hash and a lookup.
            let entry = try await withSpan("token verify") { _ in try await verifyUncached(token, now: now) }
            cache.store(entry, for: digest, now: now)
            var identity = entry.identity
            identity.accessToken = String(token)
            return (.success(identity), false)
        } catch let error as TokenRejection {
            return (.failure(error), false)
        } catch {
            // withSpan rethrows untyped; verifyUncached throws nothing else. Fail closed all the same.
            return (.failure(.malformed("verification failed")), false)
        }
    }

    func verifyUncached(_ token: Substring, now: Double) async throws(TokenRejection) -> VerifiedTokenCache.Entry {
        let parts = try JWTParts(token: token)
        guard parts.header["alg"]?.string == "RS256" else { throw .unsupportedAlgorithm }
        guard parts.header["crit"] == nil else { throw .malformed("crit header parameters are not supported") }
        guard let kid = parts.header["kid"]?.string, !kid.isEmpty else { throw .malformed("missing kid") }
        guard let key = await keys.key(kid: kid) else {
            throw keys.hasKeys ? .unknownKey : .keysUnavailable
        }
        guard key.keySizeInBits >= JSONWebKeySet.minimumKeyBits,
            parts.signature.count == key.keySizeInBits / 8,
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: parts.signature), for: parts.signingInput.sha256,
                padding: .insecurePKCS1v1_5)
        else { throw .badSignature }
        return try checkClaims(parts.claims, kid: kid, key: JWKSCache.fingerprint(of: key), now: now)
    }

    func checkClaims(_ claims: [String: JSONValue], kid: String, key: SHA256Digest, now: Double) throws(TokenRejection)
        -> VerifiedTokenCache.Entry
    {
        guard claims["iss"]?.string == pool.issuer else { throw .wrongIssuer }
        guard claims["token_use"]?.string == "access" else { throw .notAccessToken }
        guard let clientID = claims["client_id"]?.string, pool.clientIDs.contains(clientID) else { throw .wrongClient }
        guard let exp = claims["exp"]?.number else { throw .invalidClaim("exp") }
        let nbf = try optionalNumber(claims["nbf"], name: "nbf")
        let iat = try optionalNumber(claims["iat"], name: "iat")
        try checkTimes(exp: exp, nbf: nbf, iat: iat, now: now)
        guard let sub = claims["sub"]?.string, !sub.isEmpty else { throw .invalidClaim("sub") }
        guard let username = claims["username"]?.string, !username.isEmpty else { throw .invalidClaim("username") }
        var scopes: [String] = []
        if let scope = claims["scope"] {
            guard let text = scope.string else { throw .invalidClaim("scope") }
            scopes = text.split(separator: " ").map(String.init)
        }
        var groups: [String] = []
        if let value = claims["cognito:groups"] {
            guard case .array(let items) = value else { throw .invalidClaim("cognito:groups") }
            groups = items.compactMap(\.string)
        }
        let identity = CallerIdentity(
            sub: sub, username: username, clientID: clientID, scopes: scopes, groups: groups,
            expiresAt: Date(timeIntervalSince1970: exp), accessToken: "")
        return .init(
            identity: identity, kid: kid, keyFingerprint: key, expiresAt: exp, notBefore: nbf, issuedAt: iat)
    }

    func optionalNumber(_ value: JSONValue?, name: String) throws(TokenRejection) -> Double? {
        guard let value else { return nil }
        guard let number = value.number else { throw .invalidClaim(name) }
        return number
    }

    func checkTimes(exp: Double, nbf: Double?, iat: Double?, now: Double) throws(TokenRejection) {
        guard now < exp + skew else { throw .expired }
        if let nbf, nbf > now + skew { throw .notYetValid }
        if let iat, iat > now + skew { throw .issuedInFuture }
    }
}
