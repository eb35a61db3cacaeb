import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// The metric handles per label set, made once: asking the factory each time costs a registry lookup.
final class RequestMetricsCache: Sendable {
    struct Key: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    private let durations = Mutex([Key: Timer]())
    private let actives = Mutex([HTTPRequest.Method: Meter]())
    /// `GET` and `POST`, nearly every request, without the lock and the method's hash (perf: the lookup cost
    /// more than the gauge).
    private let getActive: Meter
    private let postActive: Meter

    init() {
        getActive = Self.activeMeter(.get)
        postActive = Self.activeMeter(.post)
    }

    func duration(_ key: Key) -> Timer {
        durations.withLock { timers in
            if let timer = timers[key] { return timer }
            let timer = Timer(
                label: "http_server_request_duration",
                dimensions: [
                    ("http_route", key.route), ("http_request_method", key.method.rawValue),
                    ("http_response_status_code", "\(key.status)"),
                ], preferredDisplayUnit: .seconds)
            timers[key] = timer
            return timer
        }
    }

    func active(_ method: HTTPRequest.Method) -> Meter {
        if method == .get { return getActive }
        if method == .post { return postActive }
        return actives.withLock { meters in
            if let meter = meters[method] { return meter }
            let meter = Self.activeMeter(method)
            meters[method] = meter
            return meter
        }
    }

    static func activeMeter(_ method: HTTPRequest.Method) -> Meter {
        Meter(label: "http_server_active_requests", dimensions: [("http_request_method", method.rawValue)])
    }
}
