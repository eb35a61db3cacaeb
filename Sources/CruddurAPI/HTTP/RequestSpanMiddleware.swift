import HTTPTypes
import Hummingbird
import Instrumentation
import Tracing

/// A server span per request, continuing the caller's W3C `traceparent`, named by the route template, with
/// the method, path, route and status; spans started while the request runs (token verification, database
/// calls, `GetUser`) are its children.
///
/// Hand-written instead of Hummingbird's `TracingMiddleware` for the reason `RequestTelemetryMiddleware`
/// gives: that one ends its span after the body is written by wrapping the body in a post-write closure,
/// which splits every response into three socket writes. A replica killed between them leaves the edge
/// with a response head and no way to retry (seen in `test_kill_9_of_a_replica_under_load_fails_no_get`).
/// This span ends when the response is built.
public struct RequestSpanMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var parent = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = startSpan("HTTP \(request.method.rawValue)", context: parent, ofKind: .server)
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["url.path"] = String(AccessLog.path(request.head.path ?? "/"))
        defer { span.end() }
        do {
            let response = try await InstrumentationContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            close(span, route: context.endpointPath, status: response.status.code)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            close(span, route: context.endpointPath, status: status)
            span.recordError(error)
            throw error
        }
    }

    private func close(_ span: any Span, route: String?, status: Int) {
        if let route { span.operationName = route }
        span.attributes["http.route"] = route
        span.attributes["http.response.status_code"] = status
        if status >= 500 { span.setStatus(.init(code: .error)) }
    }
}

/// Reads trace context headers (`traceparent`, `tracestate`) from a request's fields.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from fields: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { fields[$0] }
    }
}
