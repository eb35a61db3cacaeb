import CruddurDomain
import CruddurRuntime

/// Verifies access tokens locally. Implementations fail closed: anything they cannot prove valid is refused.
public protocol AccessTokenVerifier: Sendable {
    /// The identity in `token`, or why it was refused.
    func verify(_ token: Substring) async -> Result<CallerIdentity, TokenRejection>
    /// The state of the key set, for the readiness check.
    func keySetState() async -> DependencyState
}

/// The verifier used when no user pool is configured: every token is refused, so protected routes
/// answer 401 and everyone else is anonymous.
public struct DisabledTokenVerifier: AccessTokenVerifier {
    public init() {}

    public func verify(_ token: Substring) async -> Result<CallerIdentity, TokenRejection> {
        .failure(.verificationDisabled)
    }

    public func keySetState() async -> DependencyState { .disabled }
}
