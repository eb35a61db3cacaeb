import CruddurDomain
import Foundation
import HTTPTypes
import Hummingbird

extension APIError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch self {
        case .validation: .unprocessableContent
        case .badRequest: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .tooManyRequests: .tooManyRequests
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .serviceUnavailable: .serviceUnavailable
        case .internalError: .internalServerError
        }
    }

    /// The machine-readable `error.code`.
    public var code: String {
        switch self {
        case .validation: "validation_failed"
        case .badRequest(let code, _), .forbidden(let code, _), .conflict(let code, _): code
        case .tooManyRequests: "rate_limited"
        case .unauthorized(nil): "unauthenticated"
        case .unauthorized: "invalid_token"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .serviceUnavailable: "service_unavailable"
        case .internalError: "internal_error"
        }
    }

    /// The human-readable `error.message`.
    public var message: String {
        switch self {
        case .validation(let codes): "Validation failed: \(codes.joined(separator: ", "))"
        case .badRequest(_, let message), .forbidden(_, let message), .conflict(_, let message),
            .notFound(let message):
            message
        case .tooManyRequests(let seconds): "Too many writes; try again in \(seconds) s"
        case .unauthorized(nil): "Sign in to do this"
        case .unauthorized(let rejection?): "Invalid access token: \(rejection.description)"
        case .methodNotAllowed(let allow): "Method not allowed; this path allows \(allow.joined(separator: ", "))"
        case .payloadTooLarge(let limit): "Request body is larger than \(limit) bytes"
        case .unsupportedMediaType: "Send the body as application/json"
        case .serviceUnavailable(let message, _): message
        case .internalError: "Internal server error"
        }
    }

    public var headers: HTTPFields {
        var headers = HTTPFields()
        switch self {
        case .unauthorized(let rejection):
            headers[.wwwAuthenticate] = WWWAuthenticate.challenge(for: rejection)
        case .forbidden(let code, let message) where code == "insufficient_scope":
            headers[.wwwAuthenticate] = WWWAuthenticate.insufficientScope(message)
        case .methodNotAllowed(let allow):
            headers[.allow] = allow.joined(separator: ", ")
        case .serviceUnavailable(_, let seconds), .tooManyRequests(let seconds):
            headers[.retryAfter] = "\(seconds)"
        default: break
        }
        return headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body: any Encodable =
            if case .validation(let codes) = self {
                codes
            } else {
                ErrorBody(error: .init(code: code, message: message))
            }
        return JSONResponse.make(body, status: status, headers: headers)
    }
}

struct ErrorBody: Encodable {
    struct Detail: Encodable {
        let code: String
        let message: String
    }

    let error: Detail
}
