import CruddurAuth
import CruddurRuntime
import CruddurStore
import Hummingbird
import Logging

/// Liveness (`/api/health`) and readiness (`/api/health-check`).
public struct HealthController<Store: ActivityStore, Verifier: AccessTokenVerifier>: Sendable {
    let store: Store
    let verifier: Verifier
    let lifecycle: ServerLifecycle

    public init(store: Store, verifier: Verifier, lifecycle: ServerLifecycle) {
        self.store = store
        self.verifier = verifier
        self.lifecycle = lifecycle
    }

    public var handlers: [RouteName: RouteHandler] {
        [.liveness: .anyone(live), .readiness: .anyone(ready)]
    }

    /// The process answers, with the same bytes every time: encoding them with `JSONEncoder` on each request was
    /// 7% of the route's CPU samples (perf), and the edge and orchestrators call it every second per replica.
    @Sendable func live(request: Request, context: AppRequestContext) -> Response {
        Response(
            status: .ok, headers: [.contentType: JSONResponse.contentType], body: .init(byteBuffer: liveBody))
    }

    /// 200 when the store can serve, 503 otherwise; `checks` names each dependency's state.
    @Sendable func ready(request: Request, context: AppRequestContext) async -> Response {
        let report = await readiness(logger: context.logger)
        return JSONResponse.make(report, status: report.success ? .ok : .serviceUnavailable)
    }

    /// The readiness report: not ready while draining after SIGTERM, while the store is down, or while
    /// sign-in is configured but no key set has ever loaded (every signed-in request would fail). Cached
    /// keys after a failed refresh are `degraded`, still ready, as are standbys that lag or are gone.
    public func readiness(logger: Logger) async -> ReadinessReport {
        async let database = store.checkHealth(logger: logger)
        async let jwks = verifier.keySetState()
        let server: DependencyState = lifecycle.isDraining ? .draining : .ok
        var checks = ["database": await database, "jwks": await jwks, "server": server]
        if let standby = store.standbyState() { checks["standby"] = standby }
        return ReadinessReport(success: checks.values.allSatisfy(\.isServing), ver: 1, checks: checks)
    }
}

/// The body of `/api/health-check`.
public struct ReadinessReport: Encodable, Sendable {
    public let success: Bool
    public let ver: Int
    public let checks: [String: DependencyState]
}

/// Liveness's body, written once.
private let liveBody = ByteBuffer(string: #"{"success":true}"#)
