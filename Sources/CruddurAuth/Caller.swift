import CruddurDomain
import Foundation

/// Who is calling, as the authenticator decided for this request.
public enum Caller: Sendable {
    /// No token was sent (or the literal `null`/`undefined`).
    case anonymous
    /// A token was sent and refused; public routes still answer, as for an anonymous caller.
    case rejected(TokenRejection)
    /// A verified access token.
    case signedIn(CallerIdentity)

    /// The verified identity, if any.
    public var identity: CallerIdentity? {
        if case .signedIn(let identity) = self { return identity }
        return nil
    }

    /// The crud visibilities this caller may read.
    public var readable: [Visibility] { Visibility.readable(signedIn: identity != nil) }
}

/// The claims of a verified Cognito access token that handlers may use.
public struct CallerIdentity: Sendable, Equatable, Encodable {
    public var sub: String
    public var username: String
    public var clientID: String
    public var scopes: [String]
    public var groups: [String]
    public var expiresAt: Date
    /// The raw access token, kept only to call Cognito's `GetUser` on the caller's behalf. Never encoded or logged.
    public var accessToken: String

    public init(
        sub: String, username: String, clientID: String, scopes: [String] = [], groups: [String] = [],
        expiresAt: Date, accessToken: String
    ) {
        self.sub = sub
        self.username = username
        self.clientID = clientID
        self.scopes = scopes
        self.groups = groups
        self.expiresAt = expiresAt
        self.accessToken = accessToken
    }

    enum CodingKeys: String, CodingKey {
        case sub, username, scope
        case clientID = "client_id"
        case groups = "cognito:groups"
        case expiresAt = "exp"
    }

    /// The claims as `x-current-user` carries them; the token itself is left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sub, forKey: .sub)
        try container.encode(username, forKey: .username)
        try container.encode(clientID, forKey: .clientID)
        try container.encode(scopes.joined(separator: " "), forKey: .scope)
        try container.encode(groups, forKey: .groups)
        try container.encode(Int64(expiresAt.timeIntervalSince1970), forKey: .expiresAt)
    }
}

extension CallerIdentity: CustomStringConvertible {
    public var description: String { "CallerIdentity(sub: \(sub), username: \(username), client_id: \(clientID))" }
}
