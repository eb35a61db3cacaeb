import HTTPTypes
import Hummingbird
import Metrics

/// Times each request once for its access log line (``AccessLog``, at `info`) and, when metrics are on, its
/// request metrics by route template, method and status: `http_server_request_duration` (a histogram in
/// seconds; its `_count` counts requests) and `http_server_active_requests`. One middleware for both: two
/// each read the clock twice, looked the route up and cost an async frame (perf of signed-in home).
///
/// Hand-written instead of Hummingbird's `MetricsMiddleware` because that one records after the body is
/// written by wrapping every response body in a post-write closure, and a closure body loses Hummingbird's
/// single-write path: each response then goes out as three socket writes (head, body, end) instead of one
/// (`strace -c` of 1000 home requests: 3005 `write` calls with it, 1000 `writev` without). Besides the cost,
/// a replica killed between those writes leaves the edge holding a response head it can no longer retry.
/// This middleware stops the clock when the response is built; bodies here are single buffers, so the
/// write that follows is not part of what it times.
public struct RequestTelemetryMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: RequestMetricsCache?

    /// `metrics`: whether to record request metrics (through the bootstrapped `MetricsSystem`).
    public init(metrics: Bool) {
        self.metrics = metrics ? RequestMetricsCache() : nil
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let logs = context.logger.logLevel <= .info
        guard logs || metrics != nil else { return try await next(request, context) }
        let started = ContinuousClock.now
        let active = metrics?.active(request.method)
        active?.increment()
        defer { active?.decrement() }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            record(request, context, status, ContinuousClock.now - started)
            throw error
        }
        let duration = ContinuousClock.now - started
        let route = record(request, context, response.status, duration)
        if logs { AccessLog.write(request, response, route: route, duration: duration, logger: context.logger) }
        return response
    }

    /// Records the request's duration under its route template, which it returns.
    @discardableResult
    private func record(
        _ request: Request, _ context: Context, _ status: HTTPResponse.Status, _ duration: Duration
    ) -> String {
        let route = context.endpointPath ?? "none"
        guard let metrics else { return route }
        let key = RequestMetricsCache.Key(route: route, method: request.method, status: status.code)
        let (seconds, attoseconds) = duration.components
        metrics.duration(key).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        return route
    }
}
