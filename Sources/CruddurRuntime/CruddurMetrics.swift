import Metrics
import Synchronization

/// Every metric the server records besides Hummingbird's request metrics, named in one place. Each is made
/// through swift-metrics at the moment it is recorded, so it goes to whatever backend was bootstrapped
/// (Prometheus in `cruddur serve`, nothing in tests) and never binds early to the no-op one.
public enum CruddurMetrics {
    /// Token verifications by outcome: `cached`, `verified`, or the rejection's reason.
    public static func tokenVerified(outcome: String) {
        counter("cruddur_token_verifications_total", "outcome", outcome).increment()
    }

    /// A JWKS fetch and how it went; on success the time of the load and the keys it holds.
    public static func keySetFetched(ok: Bool, keys: Int, at seconds: Double) {
        Counter(label: "cruddur_jwks_fetches_total", dimensions: [("result", ok ? "ok" : "error")]).increment()
        guard ok else { return }
        Gauge(label: "cruddur_jwks_last_success_timestamp_seconds").record(seconds)
        Gauge(label: "cruddur_jwks_keys").record(keys)
    }

    /// One database call by statement: its duration, and the kind of failure when it failed.
    public static func databaseCall(_ statement: String, nanoseconds: Int64, failure: String?) {
        Timer(label: "cruddur_db_call_duration_seconds", dimensions: [("statement", statement)])
            .recordNanoseconds(nanoseconds)
        if let failure {
            Counter(label: "cruddur_db_call_errors_total", dimensions: [("statement", statement), ("kind", failure)])
                .increment()
        }
    }

    /// Database calls in flight in this process (waiting for a connection or running).
    public static func databaseCallsInFlight(_ delta: Int) {
        Meter(label: "cruddur_db_calls_in_flight").increment(by: Double(delta))
    }

    /// The outage breaker: 0 up, 1 checking, 2 down (``DatabaseAvailability/State/gauge`` in the store).
    public static func breaker(_ value: Int) {
        Gauge(label: "cruddur_db_breaker_state").record(value)
    }

    /// A standby's measured replay lag (`nil`: unreachable) and whether it serves reads.
    public static func standby(_ name: String, lagSeconds: Double?, serving: Bool) {
        if let lagSeconds {
            Gauge(label: "cruddur_standby_replay_lag_seconds", dimensions: [("standby", name)]).record(lagSeconds)
        }
        Gauge(label: "cruddur_standby_serving", dimensions: [("standby", name)]).record(serving ? 1 : 0)
    }

    /// A read served by a standby or by the primary (`server`), or moved to the primary when a standby failed it.
    public static func databaseRead(server: String) {
        counter("cruddur_db_reads_total", "server", server).increment()
    }

    /// A home feed page served from the cache or loaded.
    public static func feedCache(hit: Bool) {
        counter("cruddur_feed_cache_requests_total", "result", hit ? "hit" : "miss").increment()
    }

    /// A write refused by the per-caller rate limit.
    public static func writeRateLimited() {
        Counter(label: "cruddur_writes_rate_limited_total").increment()
    }

    /// The two counters every signed-in request records (token and feed cache), kept once made: asking the
    /// factory on each request was 1.6% of a signed-in home request's CPU (perf: Prometheus's `makeCounter`,
    /// its registry lookup and name validation). Made on first use, which is after `cruddur serve` has
    /// bootstrapped the metrics system, as for every other metric here.
    static let counters = Mutex([CounterKey: Counter]())

    struct CounterKey: Hashable {
        let label: String
        let value: String
    }

    static func counter(_ label: String, _ dimension: String, _ value: String) -> Counter {
        let key = CounterKey(label: label, value: value)
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = Counter(label: label, dimensions: [(dimension, value)])
        counters.withLock { $0[key] = counter }
        return counter
    }
}
