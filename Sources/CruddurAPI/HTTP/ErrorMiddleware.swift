import CruddurDomain
import CruddurStore
import Hummingbird
import Logging

/// Turns every error into the spec's JSON error shape, once, at the edge: API errors as they are,
/// routing misses as 404/405, and anything unexpected as a logged 500 that reveals nothing.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, request: request, logger: context.logger)
            if request.method == .options, case .methodNotAllowed(let allow) = apiError {
                return Response(status: .noContent, headers: [.allow: allow.joined(separator: ", ")])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, request: Request, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            if case .internalError = error { logger.error("Internal error", metadata: ["path": "\(request.uri.path)"]) }
            return error
        case let error as StoreUnavailableError:
            // While the breaker is open every request fails the same way: the breaker logs it once.
            logger.log(
                level: error.breakerOpen ? .debug : .warning, "Store unavailable",
                metadata: ["error": "\(error.reason)"])
            return .serviceUnavailable("The database is unavailable; try again shortly", retryAfter: 1)
        case StoreError.rejectedValue(let state):
            logger.warning("The database refused a value", metadata: ["sqlstate": "\(state)"])
            return .badRequest(code: "invalid_value", message: "A value is outside what Cruddur can store")
        case StoreError.noFreeHandle:
            return .forbidden(code: "user_not_provisioned", message: "No free handle for this account")
        case StoreError.idempotencyKeyReused:
            return .conflict(
                code: "idempotency_key_reused",
                message: "This Idempotency-Key was used for a different request in the last 24 hours")
        case let error as HTTPError where error.status == .notFound:
            let allowed = APIRoutes.allowedMethods(path: request.uri.path)
            if allowed.isEmpty { return .notFound("No route \(request.method) \(request.uri.path.prefix(200))") }
            return .methodNotAllowed(allow: allowed)
        case let error as HTTPError where error.status == .contentTooLarge:
            return .payloadTooLarge(limit: JSONBodyDecoder.defaultBytes)
        case let error as any HTTPResponseError where error.status.code < 500:
            return .badRequest(code: "bad_request", message: error.status.reasonPhrase)
        default:
            // String(reflecting:) carries a PostgresError's SQLSTATE and message; request bodies and tokens never reach here.
            logger.error("Unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return .internalError
        }
    }
}
