import Hummingbird
import Logging

/// Liveness (`/api/health`) and readiness (`/api/health-check`).
public struct HealthController<Store: ActivityStore, Verifier: AccessTokenVerifier>: Sendable {
    let store: Store
    let verifier: Verifier

    public init(store: Store, verifier: Verifier) {
        self.store = store
        self.verifier = verifier
    }

    public var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("health", use: live)
            .get("health-check", use: ready)
    }

    /// The process answers.
    @Sendable func live(request: Request, context: AppRequestContext) -> Response {
        JSONResponse.make(["success": true])
    }

    /// 200 when the store can serve, 503 otherwise; `checks` names each dependency's state.
    @Sendable func ready(request: Request, context: AppRequestContext) async -> Response {
        let report = await readiness(logger: context.logger)
        return JSONResponse.make(report, status: report.success ? .ok : .serviceUnavailable)
    }

    /// The readiness report.
    public func readiness(logger: Logger) async -> ReadinessReport {
        async let database = store.checkHealth(logger: logger)
        async let jwks = verifier.keySetState()
        let checks = ["database": await database, "jwks": await jwks]
        return ReadinessReport(success: checks["database"]!.isServing, ver: 1, checks: checks)
    }
}

/// The body of `/api/health-check`.
public struct ReadinessReport: Encodable, Sendable {
    public let success: Bool
    public let ver: Int
    public let checks: [String: DependencyState]
}
