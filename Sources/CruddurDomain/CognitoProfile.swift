/// What Cognito says about a user, used to create their `users` row.
public struct CognitoProfile: Sendable, Equatable {
    public var sub: String
    public var preferredUsername: String
    public var name: String
    public var email: String?
    /// Whether Cognito says the user proved they own `email` (`email_verified` is `"true"`).
    public var emailVerified: Bool

    public init(sub: String, preferredUsername: String, name: String, email: String?, emailVerified: Bool = false) {
        self.sub = sub
        self.preferredUsername = preferredUsername
        self.name = name
        self.email = email
        self.emailVerified = emailVerified
    }

    /// The email that may claim an unclaimed seeded user: only a verified one. Anyone can sign up with any
    /// address; an unverified one proves nothing and must never hand over an existing account.
    public var claimingEmail: String? { emailVerified ? email : nil }
}
