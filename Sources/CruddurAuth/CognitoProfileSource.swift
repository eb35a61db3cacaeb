import CruddurDomain
import Logging

/// Fetches a signed-in user's Cognito profile (`GetUser` with their own access token).
public protocol CognitoProfileSource: Sendable {
    /// The profile of the user `accessToken` belongs to.
    func profile(accessToken: String, logger: Logger) async throws -> CognitoProfile
}
