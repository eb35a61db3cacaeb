"""The benchmarks as data: the servers and edges each run starts, and the scenarios wrk drives against them.
A scenario names its target (a server or an edge below), a path, who calls (anonymous, one token, 1,000 tokens)
and how hard (connections, seconds as a multiple of --duration). bench/__main__.py runs them in order, with
the procedures that are not one wrk run (replays, rounds, pgbench, the client line, data growth)."""
from dataclasses import dataclass

CREATE_BODY = '{"message": "A benchmark crud", "ttl": "1-hour"}'
MIXED_PATHS = ("/api/activities/home /api/activities/notifications /api/activities/@worf "
               "/api/activities/search?term=cloud /api/health")


@dataclass(frozen=True)
class Scenario:
    name: str
    target: str
    path: str
    tokens: str | None = "one"      # "one", "many", or None: anonymous
    connections: int = 64
    method: str = "GET"
    body: str | None = None
    pad_like_token: bool = False    # anonymous, with a header as long as the token's
    paths: str | None = None        # a mixed load: these paths in turn
    length: float = 1.0             # seconds, as a multiple of --duration
    replay: bool = False            # then pgbench replays the statements this route sends (bench/replay.py)

    def wrk_env(self, rig) -> dict:
        env = {"BENCH_METHOD": self.method}
        if self.tokens:
            env["BENCH_TOKENS"] = str(rig.one if self.tokens == "one" else rig.many)
        if self.pad_like_token:
            env["BENCH_PAD_LIKE"] = str(rig.one)
        if self.body is not None:
            env["BENCH_BODY"] = self.body
        if self.paths:
            env["BENCH_PATHS"] = self.paths
        return env


# name: the server's settings over the bench's (LOG_LEVEL=warning, the bench pool, no write limit); None unsets.
SERVERS = {
    "server": {"FEED_CACHE_MS": "1000"},
    # Without the feed cache: what each request costs in PostgreSQL.
    "server-no-cache": {"FEED_CACHE_MS": "0"},
    # A second replica for the edge in front of two.
    "replica-2": {},
    # A separate verifier for ext_authz: the same binary on the embedded store (the check needs no database).
    "authz": {"CONNECTION_URL": ""},
    # The price of seeing it run, each serving nothing else: no metrics, metrics (the default), a twin without
    # metrics (an A/A control: its ratio to the first is the run's noise floor), metrics with a JSON access log.
    "server-quiet": {"METRICS": "off"},
    "server-metered": {},
    "server-quiet-twin": {"METRICS": "off"},
    "server-observed": {"LOG_FORMAT": "json", "LOG_LEVEL": "info"},
    # Every setting at the server's own default (LOG_LEVEL info: a text access log line per request).
    "server-defaults": {"LOG_LEVEL": None},
}

# name: (servers behind it, render's settings). One Envoy worker each.
EDGES = {
    "envoy-1": (["server"], {"EDGE_AUTH": "ext_authz"}),
    "envoy-2": (["server", "replica-2"], {"EDGE_AUTH": "ext_authz"}),
    "envoy-sidecar": (["server"], {"EDGE_AUTH": "ext_authz", "AUTHZ_BACKENDS": "authz"}),  # the verifier process
    "envoy-jwt": (["server"], {"EDGE_AUTH": "jwt_authn"}),
    "envoy-jwt-2": (["server", "replica-2"], {"EDGE_AUTH": "jwt_authn"}),
}

# The ceilings, in rounds (the order turns each round): our liveness route against a bare Hummingbird route,
# and our edge against a bare Envoy (router filter only, one worker) in front of the same server.
CEILINGS = [
    Scenario("bare Hummingbird route", "bare-hummingbird", "/api/health", tokens=None),
    Scenario("liveness, default settings", "server-defaults", "/api/health", tokens=None),
    Scenario("liveness, LOG_LEVEL=warning METRICS=off", "server-quiet", "/api/health", tokens=None),
    Scenario("liveness direct", "server", "/api/health", tokens=None),
    Scenario("liveness through a bare Envoy", "envoy-bare", "/api/health", tokens=None),
    Scenario("liveness through the edge, jwt_authn", "envoy-jwt", "/api/health", tokens=None),
    Scenario("liveness through the edge, ext_authz", "envoy-1", "/api/health", tokens=None),
]

HOME = [
    Scenario("home anonymous", "server", "/api/activities/home", tokens=None),
    Scenario("home anonymous, token-sized header", "server", "/api/activities/home", tokens=None,
             pad_like_token=True),
    Scenario("home signed in (1 token)", "server", "/api/activities/home"),
    Scenario("home signed in (1,000 tokens)", "server", "/api/activities/home", tokens="many"),
]

# Every read route through the database, signed in (issue 12: each >= 0.25 x liveness at 10k rows). The rare
# phrase is in one crud at 10k rows and at 1M. It was "number 4242 " until the trailing space was seen to be
# trimmed with the term: "number 4242" is in one crud at 10k and in 111 at 1M (42420, 424200, ...), so its 1M
# figure measured a page of 21 cruds against one of one. {show} is a crud's uuid, filled in at run time.
READ_ROUTES = [
    Scenario("notifications", "server", "/api/activities/notifications", replay=True),
    Scenario("a user's cruds", "server", "/api/activities/@worf", replay=True),
    Scenario("show a crud", "server", "/api/activities/{show}", replay=True),
    Scenario("search, a common word", "server", "/api/activities/search?term=cloud", replay=True),
    Scenario("search, a rare phrase", "server", "/api/activities/search?term=number%204242%20about", replay=True),
    Scenario("a user's short profile", "server", "/api/users/@worf/short", replay=True),
]

# Before any crud is created: thousands of new cruds without "cloud" would make the mixed load's search walk
# past them (it ran at 927-955 req/s after "create a crud", 2.5-2.8k before it).
MIXED = Scenario("mixed signed-in load, 256 connections", "server", "/api/health", connections=256,
                 paths=MIXED_PATHS, length=3)
CREATE = Scenario("create a crud", "server", "/api/activities", method="POST", body=CREATE_BODY, replay=True)

EDGE_HOME = [
    Scenario("edge: ext_authz to the replica, 1 replica", "envoy-1", "/api/activities/home"),
    Scenario("edge: ext_authz to the replicas, 2 replicas", "envoy-2", "/api/activities/home"),
    Scenario("edge: ext_authz to a verifier process", "envoy-sidecar", "/api/activities/home"),
    Scenario("edge: jwt_authn in Envoy, 1 replica", "envoy-jwt", "/api/activities/home"),
    Scenario("edge: jwt_authn in Envoy, 2 replicas", "envoy-jwt-2", "/api/activities/home"),
    # Added latency is read at one connection, where queueing on the shared cores does not swamp it.
    Scenario("home signed in, 1 connection", "server", "/api/activities/home", connections=1),
    Scenario("edge: ext_authz, 1 replica, 1 connection", "envoy-1", "/api/activities/home", connections=1),
    Scenario("edge: verifier process, 1 connection", "envoy-sidecar", "/api/activities/home", connections=1),
    Scenario("edge: jwt_authn, 1 connection", "envoy-jwt", "/api/activities/home", connections=1),
    Scenario("home signed in, no feed cache", "server-no-cache", "/api/activities/home"),
]

LARGE = [
    Scenario("home anonymous, 1M rows", "server", "/api/activities/home", tokens=None),
    Scenario("home signed in, 1M rows", "server", "/api/activities/home"),
    Scenario("home signed in, 1M rows, no feed cache", "server-no-cache", "/api/activities/home"),
]

# The observability servers, read in rounds against the one without metrics.
OBSERVED = [("metrics off", "server-quiet"), ("metrics on", "server-metered"),
            ("metrics + JSON access log", "server-observed"), ("metrics off, a twin server", "server-quiet-twin")]


def _without_filters(*names):
    def change(config, manager):
        manager["http_filters"] = [f for f in manager["http_filters"]
                                   if f["name"].rsplit(".", 1)[1] not in names]
        if "jwt_authn" in names:  # the jwks cluster serves jwt_authn only
            config["static_resources"]["clusters"] = [c for c in config["static_resources"]["clusters"]
                                                      if c["name"] != "jwks"]
    return change


def _jwt_catch_all_only(config, manager):
    """jwt_authn with its last rule alone (any path: a token if there is one), the generated per-route rules gone."""
    for entry in manager["http_filters"]:
        if entry["name"].endswith(".jwt_authn"):
            entry["typed_config"]["rules"] = entry["typed_config"]["rules"][-1:]


def _router_only(config, manager):
    """Every HTTP filter taken out but the router: what the connection manager's own settings cost."""
    manager["http_filters"] = [f for f in manager["http_filters"] if f["name"].endswith(".router")]


def _plain_manager(config, manager):
    """The connection manager with the bare Envoy's settings (no access log, header mutation, path rules, local
    replies, address handling or limits), every filter kept: what the filters cost."""
    keep = {"@type", "stat_prefix", "codec_type", "route_config", "http_filters"}
    for key in [key for key in manager if key not in keep]:
        del manager[key]


def _without(*keys):
    """The connection manager without these settings (each must be there: a part the edge lost is not measured)."""
    def change(config, manager):
        for key in keys:
            del manager[key]
    return change


def _without_request_ids(config, manager):
    manager["generate_request_id"] = False


def _open_routes_through_auth(config, manager):
    """The open routes' own entries gone: health checks pass the auth filters as every other route does."""
    host = manager["route_config"]["virtual_hosts"][0]
    host["routes"] = [route for route in host["routes"] if "path" not in route["match"]]


def _without_path_rules(config, manager):
    for key in ["normalize_path", "merge_slashes", "path_with_escaped_slashes_action"]:
        manager.pop(key, None)
    manager.get("common_http_protocol_options", {}).pop("headers_with_underscores_action", None)


def _without_retries(config, manager):
    for host in manager["route_config"]["virtual_hosts"]:
        host.pop("retry_policy", None)
        for route in host["routes"]:
            route.get("route", {}).pop("retry_policy", None)


def _plain_cluster(config, manager):
    backend = next(c for c in config["static_resources"]["clusters"] if c["name"] == "backend")
    for key in ["lb_policy", "circuit_breakers", "health_checks", "outlier_detection"]:
        backend.pop(key, None)


# The project's jwt_authn edge with one part taken out at a time (bench/run --ceilings): what each costs, read
# against the whole edge and the bare Envoy in the same rounds, on the liveness route without a token.
EDGE_PARTS = {
    "no access log": _without("access_log"),
    "no early header mutation": _without("early_header_mutation_extensions"),
    "no cors": _without_filters("cors"),
    "no local_ratelimit": _without_filters("local_ratelimit"),
    "no buffer": _without_filters("buffer"),
    "no jwt_authn, no rbac": _without_filters("jwt_authn", "rbac"),
    "no rbac": _without_filters("rbac"),
    "jwt_authn with its catch-all rule only": _jwt_catch_all_only,
    "no path rules": _without_path_rules,
    "no retry policies": _without_retries,
    "a plain cluster": _plain_cluster,
    "the router filter only": _router_only,
    "a plain connection manager": _plain_manager,
    "no request or header timeouts": _without("request_timeout", "request_headers_timeout"),
    "no request id generation": _without_request_ids,
    "no use_remote_address": _without("use_remote_address"),
    "the open routes through the auth filters": _open_routes_through_auth,
}
