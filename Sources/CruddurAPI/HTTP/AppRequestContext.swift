import CruddurAuth
import CruddurDomain
import Hummingbird
import Logging

/// The context of every request: the caller as the authenticator decided, and the request id.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthenticatorMiddleware``; anonymous until it runs.
    public var caller: Caller = .anonymous
    /// Set by ``RequestIDMiddleware``.
    public var requestID: String = ""
    /// Set when a verified caller lacks a group that protected routes require.
    public var missingAccess: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The one access decision for a protected route, used by the router (through
    /// ``AuthenticatedRequestContext``) and by the edge's `ext_authz` check: the verified identity, or the
    /// 401 (no or refused token) or 403 (a required group missing) to answer.
    public func requireIdentity() throws(APIError) -> CallerIdentity {
        switch caller {
        case .signedIn(let identity):
            if let missing = missingAccess { throw .forbidden(code: "insufficient_scope", message: missing) }
            return identity
        case .anonymous: throw .unauthorized(nil)
        case .rejected(let rejection): throw .unauthorized(rejection)
        }
    }
}

/// The context of protected routes: the identity is there, non-optional, so no handler can forget the check.
public struct AuthenticatedRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let identity: CallerIdentity
    public let requestID: String

    /// Refuses with 401 unless the parent context holds a verified caller.
    public init(context: AppRequestContext) throws {
        self.identity = try context.requireIdentity()
        self.coreContext = context.coreContext
        self.requestID = context.requestID
    }
}
