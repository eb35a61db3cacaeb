import HTTPTypes
import Hummingbird
import NIOCore
import Prometheus

/// `GET /metrics`: every metric in the Prometheus text format. It is outside `/api/`, which is all the
/// edge routes, so only what reaches the replica's own address (Prometheus on the private network)
/// can scrape it.
public struct MetricsController: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func register(on router: Router<AppRequestContext>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
