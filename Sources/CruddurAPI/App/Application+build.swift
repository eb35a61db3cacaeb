import CruddurAuth
import CruddurStore
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// Wires the whole server from its configuration: the store, the token verifier, the services and the
/// router. Every wire is here.
public func buildApplication(
    configuration: AppConfiguration, logger: Logger, lifecycle: ServerLifecycle = ServerLifecycle(),
    metrics: PrometheusCollectorRegistry? = nil
) async throws -> any ApplicationProtocol {
    guard let databaseConfiguration = configuration.database else {
        let store = CruddurMemoryStore(seed: configuration.seed)
        logger.notice("No CONNECTION_URL: data lives in memory and is lost when the server stops")
        return buildApplication(
            store: store, services: [], configuration: configuration, lifecycle: lifecycle, metrics: metrics,
            logger: logger)
    }
    try await PostgresDatabase.probe(databaseConfiguration, logger: logger)
    if databaseConfiguration.migrateOnStart {
        let migrator = Migrator(directory: configuration.migrationsDirectory)
        try await PostgresDatabase.withSession(databaseConfiguration, logger: logger) { session in
            try migrator.migrate(on: session, logger: logger)
        }
    }
    let database = PostgresDatabase(configuration: databaseConfiguration, logger: logger)
    logger.info(
        "Using PostgreSQL",
        metadata: [
            "target": "\(databaseConfiguration.target)", "pool_size": "\(databaseConfiguration.poolSize)",
            "read_standbys": "\(database.readStandbys.map(\.name).joined(separator: " "))",
        ])
    let store = CruddurPostgresStore(database: database)
    var services =
        database.services(logger: logger) + [
            IdempotencyKeyPurge(store: store, logger: logger), MemoryTrimService(interval: .seconds(10)),
        ]
    if let interval = databaseConfiguration.expiryPurgeInterval {
        services.append(
            ExpiredCrudPurge(
                configuration: databaseConfiguration, interval: interval, grace: databaseConfiguration.expiryGrace,
                logger: logger))
    }
    guard configuration.feedCacheMilliseconds > 0 else {
        return buildApplication(
            store: store, services: services, configuration: configuration, lifecycle: lifecycle, metrics: metrics,
            logger: logger)
    }
    // The services keep rendered pages; writes on other replicas reach them through the store's LISTEN.
    let cache = FeedCache(ttl: Double(configuration.feedCacheMilliseconds) / 1000)
    let listener = FeedCacheInvalidation(
        configuration: databaseConfiguration, invalidate: { cache.invalidate() }, logger: logger)
    return buildApplication(
        store: store, feedCache: cache, services: services + [listener], configuration: configuration,
        lifecycle: lifecycle, metrics: metrics, logger: logger)
}

/// Adds the token verifier that the configuration asks for to an application over `store`.
func buildApplication<Store: CruddurStore>(
    store: Store, feedCache: FeedCache? = nil, services: [any Service], configuration: AppConfiguration,
    lifecycle: ServerLifecycle, metrics: PrometheusCollectorRegistry?, logger: Logger
) -> any ApplicationProtocol {
    let cognito = configuration.cognito
    guard let pool = cognito.pool else {
        logger.warning("AWS_COGNITO_USER_POOL_ID is not set: sign-in is disabled, every caller is anonymous")
        return makeApplication(
            store: store, feedCache: feedCache, verifier: DisabledTokenVerifier(), profiles: nil,
            configuration: configuration, services: services, lifecycle: lifecycle, metrics: metrics, logger: logger)
    }
    if pool.isPlainHTTP {
        logger.warning(
            "Cognito keys and profiles come over plain HTTP: fine for an emulator, never for a real pool",
            metadata: ["endpoint": "\(pool.endpoint)"])
    }
    let keys = JWKSCache(fetcher: JWKSFetcher(url: pool.jwksURL))
    let verifier = CognitoTokenVerifier(pool: pool, keys: keys, clockSkewSeconds: cognito.clockSkewSeconds)
    let refresher = JWKSRefreshService(
        cache: keys, interval: .seconds(cognito.jwksRefreshSeconds), logger: logger)
    logger.info(
        "Verifying Cognito access tokens locally",
        metadata: ["issuer": "\(pool.issuer)", "jwks": "\(pool.jwksURL)", "clients": "\(pool.clientIDs.count)"])
    return makeApplication(
        store: store, feedCache: feedCache, verifier: verifier,
        profiles: cognito.provisionUsers ? CognitoProfileClient(endpoint: pool.endpoint) : nil,
        configuration: configuration, services: services + [refresher], lifecycle: lifecycle, metrics: metrics,
        logger: logger)
}

/// An application over `store` and `verifier`, with the background `services` it needs.
public func makeApplication<Store: CruddurStore, Verifier: AccessTokenVerifier>(
    store: Store, feedCache: FeedCache? = nil, verifier: Verifier, profiles: (any CognitoProfileSource)?,
    configuration: AppConfiguration, services: [any Service], lifecycle: ServerLifecycle = ServerLifecycle(),
    metrics: PrometheusCollectorRegistry? = nil, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
) -> some ApplicationProtocol {
    let router = buildRouter(
        store: store, feedCache: feedCache, verifier: verifier, profiles: profiles, configuration: configuration,
        lifecycle: lifecycle, metrics: metrics, clock: clock)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: services,
        logger: logger
    )
}

/// The router: middleware from the outside in (the request's span, request id, metrics and access log, CORS,
/// errors, authentication), then the controllers' routes.
public func buildRouter<Store: CruddurStore, Verifier: AccessTokenVerifier>(
    store: Store, feedCache: FeedCache? = nil, verifier: Verifier, profiles: (any CognitoProfileSource)?,
    configuration: AppConfiguration, lifecycle: ServerLifecycle = ServerLifecycle(),
    metrics: PrometheusCollectorRegistry? = nil, clock: @escaping @Sendable () -> Date = { Date() }
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    // A span per request, continuing the edge's traceparent (when a tracer is bootstrapped).
    if configuration.tracing { router.add(middleware: RequestSpanMiddleware()) }
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestTelemetryMiddleware(metrics: metrics != nil))
    if let metrics { MetricsController(registry: metrics).register(on: router) }
    router.add(middleware: CORSPolicyMiddleware(allowedOrigins: configuration.allowedOrigins))
    router.add(middleware: ErrorMiddleware())
    router.add(
        middleware: AuthenticatorMiddleware(verifier: verifier, requiredGroups: configuration.cognito.requiredGroups))

    let feeds = FeedService(store: store, cache: feedCache, clock: clock)
    let profileService = ProfileService(store: store, cache: feedCache, clock: clock)
    let callers = CallerUserService(store: store, profiles: profiles, cache: feedCache)
    let writeLimiter = WriteRateLimiter(perMinute: configuration.writeRatePerMinute)
    let activities = ActivitiesController(
        feeds: feeds, profiles: profileService,
        activities: ActivityService(store: store, cache: feedCache, clock: clock),
        callers: callers,
        bodyDecoder: configuration.bodyDecoder, writeLimiter: writeLimiter)
    var handlers = RouteHandlers()
    handlers.add(HealthController(store: store, verifier: verifier, lifecycle: lifecycle).handlers)
    handlers.add(activities.handlers)
    handlers.add(UsersController(feeds: feeds, profiles: profileService).handlers)
    handlers.add(
        MessagesController(
            messages: MessageService(store: store, clock: clock), callers: callers,
            bodyDecoder: configuration.bodyDecoder, writeLimiter: writeLimiter
        ).handlers)
    handlers.add(
        ProfileController(profiles: profileService, callers: callers, bodyDecoder: configuration.bodyDecoder).handlers)
    handlers.register(on: router)
    ExtAuthzController().register(on: router)
    return router
}
