import CruddurAuth
import HTTPTypes
import Hummingbird

/// Decides who is calling, on every request, and records it in the context. It never fails a request
/// itself: protected routes refuse through ``AuthenticatedRequestContext``; public routes answer as for an
/// anonymous caller and add an `invalid_token` challenge when a token was refused.
public struct AuthenticatorMiddleware<Verifier: AccessTokenVerifier>: RouterMiddleware {
    public typealias Context = AppRequestContext
    let verifier: Verifier
    /// When not empty, a caller must be in one of these `cognito:groups` to use protected routes.
    let requiredGroups: [String]

    public init(verifier: Verifier, requiredGroups: [String] = []) {
        self.verifier = verifier
        self.requiredGroups = requiredGroups
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method != .options else { return try await next(request, context) }
        var context = context
        context.caller = await Self.caller(from: request.headers, verifier: verifier)
        if let identity = context.caller.identity, !requiredGroups.isEmpty,
            !identity.groups.contains(where: requiredGroups.contains)
        {
            context.missingAccess = "requires membership of one of: \(requiredGroups.joined(separator: ", "))"
        }
        var response = try await next(request, context)
        if case .rejected(let rejection) = context.caller, response.headers[.wwwAuthenticate] == nil {
            response.headers[.wwwAuthenticate] = WWWAuthenticate.challenge(for: rejection)
        }
        return response
    }

    /// The caller that `headers` identify.
    public static func caller(from headers: HTTPFields, verifier: Verifier) async -> Caller {
        switch BearerToken.extract(from: headers) {
        case .none: return .anonymous
        case .refused(let rejection): return .rejected(rejection)
        case .token(let token):
            switch await verifier.verify(token) {
            case .success(let identity): return .signedIn(identity)
            case .failure(let rejection): return .rejected(rejection)
            }
        }
    }
}
