"""What the benchmarks run against, started through the stack package: PostgreSQL with production durability and
the bench data, test keys and their JWKS, the release servers by name, and Envoys in front of them."""
import subprocess
import sys
import time
from pathlib import Path

import requests
import yaml

from stack import Cluster, Process, free_port, migrate_and_seed, start_backend
from stack.processes import start
from stack.edge import run_envoy, start_envoy

BENCH = Path(__file__).resolve().parent
POOL, CLIENT = "us-east-1_Bench", "bench-client"


class Rig:
    def __init__(self, out: Path, bin_dir: Path):
        self.out, self.bin_dir = out, bin_dir
        self.processes: list[Process] = []
        self.servers: dict[str, tuple[str, int]] = {}  # name: (URL, pid)
        self.edges: dict[str, tuple[str, int]] = {}  # name: (URL, pid)
        self.database = None

    # PostgreSQL ---------------------------------------------------------------------------------------------

    def start_database(self) -> None:
        """Production durability (issue 22), and a JSON log from which bench/replay.py reads the statements each
        route sends (only the capture server's role logs them)."""
        self.postgres = Cluster("postgres", under=self.out, durable=True, settings=(
            "logging_collector=on", "log_destination=jsonlog", "log_filename=postgresql", "log_rotation_size=0"))
        self.pg_log = self.postgres.data / "log" / "postgresql.json"
        self.postgres.psql("CREATE DATABASE cruddur_bench")
        self.postgres.psql("CREATE ROLE bench_capture LOGIN SUPERUSER")
        self.postgres.psql("ALTER ROLE bench_capture SET log_statement = 'all'")
        self.database = self.postgres.url_for("cruddur_bench")
        migrate_and_seed(self.database, str(self.bin_dir / "cruddur"))
        self.sql("UPDATE users SET cognito_user_id = 'bench-user' WHERE handle = 'andrewbrown'")
        print("bench: loading 10k activities", flush=True)
        self.sql_file("data.sql", start=1, end=9000)
        print(f"bench: {self.sql('SELECT count(*) FROM activities')} activities", flush=True)

    def sql(self, statement: str) -> str:
        return self.postgres.psql(statement, database="cruddur_bench").strip()

    def sql_file(self, name: str, start: int, end: int) -> None:
        subprocess.run(["psql", self.database, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"from={start}", "-v",
                        f"to={end}", "-f", str(BENCH / name)], check=True, capture_output=True)

    def postgres_ticks(self) -> int:
        """The CPU the primary (the postmaster and every process it started) used so far, in clock ticks."""
        postmaster = int((self.postgres.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return sum(cpu_ticks(int(pid)) for pid in [postmaster, *children])

    # Keys ---------------------------------------------------------------------------------------------------

    def start_keys(self) -> None:
        """Test keys, 1,000 signed access tokens, and the pool's JWKS served as Cognito's would be."""
        keys = self.out / "keys"
        subprocess.run([sys.executable, str(BENCH / "tokens.py"), str(keys), POOL, CLIENT, "1000"], check=True)
        self.one, self.many = keys / "token.txt", keys / "tokens.txt"
        self.jwks_port = free_port()
        self.keep(start("jwks", [sys.executable, "-m", "http.server", str(self.jwks_port), "--bind", "127.0.0.1",
                                 "--directory", str(keys)], f"http://127.0.0.1:{self.jwks_port}/", logs=self.out))

    def cognito_env(self) -> dict:
        return {"AWS_COGNITO_USER_POOL_ID": POOL, "AWS_COGNITO_USER_POOL_CLIENT_ID": CLIENT,
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": f"http://127.0.0.1:{self.jwks_port}"}

    # Servers ------------------------------------------------------------------------------------------------

    def serve(self, name: str, settings: dict) -> str:
        """A release server for the bench pool on the bench database, ready; `settings` override the bench's
        (a value of None leaves the variable unset: the server's own default)."""
        env = {"CONNECTION_URL": self.database, "LOG_LEVEL": "warning", **self.cognito_env(),
               "COGNITO_PROVISION_USERS": "false", "FRONTEND_URL": "http://localhost:3000",
               "WRITE_RATE_PER_MINUTE": "0", "DRAIN_SECONDS": "0", **settings}
        unset = [key for key, value in env.items() if value is None]
        process, url = start_backend(name, {k: v for k, v in env.items() if v is not None},
                                     binary=str(self.bin_dir / "cruddur"), logs=self.out, defaults={},
                                     unset=unset)
        self.keep(process)
        wait_ready(url + "/api/health-check", process)
        self.servers[name] = (url, process.popen.pid)
        return url

    def serve_bare(self, name: str) -> str:
        """Hummingbird 2 with one route and no middleware (cruddur-bench bare-server)."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        process = self.keep(start(name, [str(self.bin_dir / "cruddur-bench"), "bare-server", str(port)],
                                  url + "/api/health", logs=self.out))
        self.servers[name] = (url, process.popen.pid)
        return url

    def url(self, target: str) -> str:
        return (self.servers.get(target) or self.edges[target])[0]

    def pid(self, target: str) -> int:
        """The process serving `target`, a server or an Envoy (whose CPU per request a scenario records)."""
        return (self.servers.get(target) or self.edges[target])[1]

    # Edges --------------------------------------------------------------------------------------------------

    def edge_variant(self, name: str, edge: str, change) -> str:
        """A copy of edge `edge`'s configuration, changed by `change` (a function of its parsed YAML and its HTTP
        connection manager), on ports of its own, one worker: to read what one part of the edge costs."""
        listen, admin = free_port(), free_port()
        return self.run_config(name, self.edge_config(edge, change, listen, admin), listen, admin)

    def edge_config(self, edge: str, change, listen: int, admin: int) -> dict:
        """Edge `edge`'s configuration as envoy/render wrote it, changed by `change` if given, on the ports given."""
        config = yaml.safe_load((self.out / f"{edge}-envoy.yaml").read_text())
        config["admin"]["address"]["socket_address"]["port_value"] = admin
        listener = config["static_resources"]["listeners"][0]
        listener["address"]["socket_address"]["port_value"] = listen
        if change is not None:
            change(config, listener["filter_chains"][0]["filters"][0]["typed_config"])
        return config

    def run_config(self, name: str, config: dict, listen: int, admin: int) -> str:
        """Envoy, one worker, with `config` (listening on `listen`, its admin on `admin`) written to a file."""
        path = self.out / f"{name}.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return self.envoy(name, *run_envoy(name, path, listen, admin, logs=self.out, concurrency=1))

    def envoy(self, name: str, process: Process, url: str, admin: int) -> str:
        self.keep(process)
        self.edges[name] = (url, process.popen.pid)
        return url

    def edge(self, name: str, backends: list[str], settings: dict) -> str:
        """Envoy rendered from envoy/envoy.yaml, one worker, in front of the named servers (a setting's value that
        names a server becomes its host:port: AUTHZ_BACKENDS)."""
        ports = [int(self.url(server).rsplit(":", 1)[1]) for server in backends]
        settings = {key: self.url(value).removeprefix("http://") if value in self.servers else value
                    for key, value in settings.items()}
        return self.envoy(name, *start_envoy(name, ports, "http://localhost:3000", self.cognito_env(), logs=self.out,
                                             envoy_env={"EDGE_WRITE_BURST": "1000000", **settings}, concurrency=1))

    def bare_edge(self, name: str, backend: str) -> str:
        """Envoy with the router filter only (no access log, no other filter), one worker, in front of `backend`:
        the ceiling the project's edge is read against."""
        listen, admin = free_port(), free_port()
        return self.run_config(name, self.bare_config(backend, listen, admin), listen, admin)

    def bare_config(self, backend: str, listen: int, admin: int) -> dict:
        """The bare Envoy's configuration: the router filter only, in front of `backend`, on the ports given."""
        port = int(self.url(backend).rsplit(":", 1)[1])
        router = {"name": "envoy.filters.http.router", "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}
        manager = {"@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
                            "HttpConnectionManager",
                   "stat_prefix": "bare", "codec_type": "AUTO", "http_filters": [router],
                   "route_config": {"virtual_hosts": [{"name": "all", "domains": ["*"], "routes": [
                       {"match": {"prefix": "/"}, "route": {"cluster": "backend"}}]}]}}
        config = {
            "admin": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": admin}}},
            "static_resources": {
                "listeners": [{"name": "bare", "address": {"socket_address": {"address": "127.0.0.1",
                                                                              "port_value": listen}},
                               "filter_chains": [{"filters": [{"name": "envoy.filters.network.http_connection_manager",
                                                               "typed_config": manager}]}]}],
                "clusters": [{"name": "backend", "type": "STATIC", "connect_timeout": "1s",
                              "load_assignment": {"cluster_name": "backend", "endpoints": [{"lb_endpoints": [
                                  {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1",
                                                                               "port_value": port}}}}]}]}}]}}
        return config

    def keep(self, process: Process) -> Process:
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        if self.database is not None:
            self.postgres.stop()


def cpu_ticks(pid: int) -> int:
    """A process's user + system CPU so far, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0
    return int(fields[11]) + int(fields[12])


def rss_mib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
    return 0


def wait_ready(url: str, process: Process, seconds: float = 30) -> None:
    """Until `url` answers 2xx (curl -f, as the bash version waited)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        if process.popen.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"bench: {url} did not become ready (see {process.log_path})")
        time.sleep(0.2)
