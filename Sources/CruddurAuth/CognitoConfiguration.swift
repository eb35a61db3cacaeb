import CruddurRuntime
import Foundation

/// Where the user pool is and which tokens it accepts, read from the settings.
///
/// | Variable | Meaning | Default |
/// |---|---|---|
/// | `AWS_COGNITO_USER_POOL_ID` | the pool, e.g. `us-east-1_AbC123`; unset disables sign-in (fail closed) | unset |
/// | `AWS_COGNITO_USER_POOL_CLIENT_ID` | accepted app client ids, comma-separated; required with a pool | unset |
/// | `AWS_DEFAULT_REGION` (or `AWS_REGION`) | the pool's region | the pool id's prefix |
/// | `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, then `AWS_ENDPOINT_URL` | endpoint override (emulator) | `https://cognito-idp.{region}.amazonaws.com` |
/// | `AUTH_CLOCK_SKEW_SECONDS` | leeway on `exp`, `nbf`, `iat` | 60 |
/// | `JWKS_REFRESH_SECONDS` | how often the key set is refetched | 3600 |
/// | `AUTH_REQUIRED_GROUPS` | if set, protected routes need one of these `cognito:groups` | unset |
/// | `COGNITO_PROVISION_USERS` | create `users` rows from Cognito `GetUser` for new callers | `true` |
/// | `COGNITO_ALLOW_HTTP` | allow a plain-HTTP endpoint override on a non-loopback host (an emulator on a private network) | `false` |
public struct CognitoConfiguration: Sendable, Equatable {
    public struct Pool: Sendable, Equatable {
        public var region: String
        public var poolID: String
        public var clientIDs: Set<String>
        public var endpoint: String

        public init(region: String, poolID: String, clientIDs: Set<String>, endpoint: String) {
            self.region = region
            self.poolID = poolID
            self.clientIDs = clientIDs
            self.endpoint = endpoint
        }

        /// The `iss` every token must carry: always the real Cognito issuer, even behind an emulator.
        public var issuer: String { "https://cognito-idp.\(region).amazonaws.com/\(poolID)" }
        /// Whether keys and profiles come over plain HTTP (an emulator): worth a warning at start-up.
        public var isPlainHTTP: Bool { endpoint.hasPrefix("http://") }
        /// Where the pool's signing keys are published.
        public var jwksURL: String { "\(endpoint)/\(poolID)/.well-known/jwks.json" }
    }

    /// `nil` when sign-in is disabled.
    public var pool: Pool?
    public var clockSkewSeconds: Int
    public var jwksRefreshSeconds: Int
    public var requiredGroups: [String]
    public var provisionUsers: Bool

    public init(_ reader: Settings) throws {
        clockSkewSeconds = try reader.int("AUTH_CLOCK_SKEW_SECONDS", default: 60, in: 0...600)
        jwksRefreshSeconds = try reader.int("JWKS_REFRESH_SECONDS", default: 3600, in: 10...86_400)
        requiredGroups = reader.list("AUTH_REQUIRED_GROUPS")
        provisionUsers = (reader.string("COGNITO_PROVISION_USERS")?.lowercased() ?? "true") != "false"
        guard let poolID = reader.string("AWS_COGNITO_USER_POOL_ID") else {
            pool = nil
            return
        }
        guard Self.isPoolID(poolID) else {
            throw ConfigurationError(
                variable: "AWS_COGNITO_USER_POOL_ID", problem: "must look like us-east-1_AbC123")
        }
        let region =
            reader.string("AWS_DEFAULT_REGION") ?? reader.string("AWS_REGION")
            ?? String(poolID.prefix { $0 != "_" })
        guard region.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || (48...57).contains($0) || (97...122).contains($0) })
        else {
            throw ConfigurationError(variable: "AWS_DEFAULT_REGION", problem: "must be a region name like us-east-1")
        }
        let clients = reader.list("AWS_COGNITO_USER_POOL_CLIENT_ID")
        guard !clients.isEmpty else {
            throw ConfigurationError(
                variable: "AWS_COGNITO_USER_POOL_CLIENT_ID",
                problem: "must name the accepted app client(s) when a pool is set")
        }
        var endpoint =
            reader.string("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER") ?? reader.string("AWS_ENDPOINT_URL")
            ?? "https://cognito-idp.\(region).amazonaws.com"
        while endpoint.hasSuffix("/") { endpoint.removeLast() }
        guard let url = URLComponents(string: endpoint), url.scheme == "http" || url.scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw ConfigurationError(
                variable: "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", problem: "must be an http(s) URL")
        }
        // Keys fetched in plain text can be swapped on the way: only on this machine, or when allowed.
        if url.scheme == "http", !Self.isLoopback(host), reader.string("COGNITO_ALLOW_HTTP")?.lowercased() != "true" {
            throw ConfigurationError(
                variable: "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
                problem: "must be https unless it is a loopback address or COGNITO_ALLOW_HTTP=true")
        }
        pool = Pool(region: region, poolID: poolID, clientIDs: Set(clients), endpoint: endpoint)
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func isPoolID(_ text: String) -> Bool {
        let parts = text.split(separator: "_", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && text.utf8.count <= 55
            && text.utf8.allSatisfy { byte in
                byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || (48...57).contains(byte)
                    || (65...90).contains(byte) || (97...122).contains(byte)
            }
    }
}
