/// Every failure the API reports on purpose. The HTTP layer renders each as the spec's JSON error shape.
public enum APIError: Error, Sendable, Equatable {
    /// 422 with every failing check's code, in a stable order.
    case validation([String])
    /// 400: malformed JSON, a body of the wrong JSON type, a bad UUID.
    case badRequest(code: String, message: String)
    /// 401: no token (`nil`) or a refused one on a protected route.
    case unauthorized(TokenRejection?)
    /// 403: a verified caller that may not do this.
    case forbidden(code: String, message: String)
    /// 404
    case notFound(String)
    /// 409: the request conflicts with an earlier one.
    case conflict(code: String, message: String)
    /// 429: too many writes; retry after `retryAfter` seconds.
    case tooManyRequests(retryAfter: Int)
    /// 405 with the methods the path does allow.
    case methodNotAllowed(allow: [String])
    /// 413: a body over `limit` bytes.
    case payloadTooLarge(limit: Int)
    /// 415: a body that is not JSON.
    case unsupportedMediaType
    /// 503: a dependency is down; retry after `retryAfter` seconds.
    case serviceUnavailable(String, retryAfter: Int = 5)
    /// 500: a bug; the message stays generic.
    case internalError
}

extension APIError {
    /// 404 for a handle no user has (quoted at most ``Handle/maxLength`` characters long).
    package static func noUser(_ handle: some StringProtocol) -> APIError {
        .notFound("No user @\(handle.prefix(Handle.maxLength))")
    }
}
