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
}

/// The context of protected routes: the identity is there, non-optional, so no handler can forget the check.
public struct AuthenticatedRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let identity: CallerIdentity
    public let requestID: String

    /// Refuses with 401 unless the parent context holds a verified caller.
    public init(context: AppRequestContext) throws {
        switch context.caller {
        case .signedIn(let identity):
            if let missing = context.missingAccess {
                throw APIError.forbidden(code: "insufficient_scope", message: missing)
            }
            self.identity = identity
        case .anonymous: throw APIError.unauthorized(nil)
        case .rejected(let rejection): throw APIError.unauthorized(rejection)
        }
        self.coreContext = context.coreContext
        self.requestID = context.requestID
    }
}
