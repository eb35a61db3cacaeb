"""The whole stack on this machine, for bin/dev: PostgreSQL (migrated and seeded; with `standby`, a streaming
standby serving the replicas' anonymous reads), the Cognito emulator with the pool and demo users, N replicas
on the one database, Envoy in front of them, the frontend stub and Prometheus. Ports come from DEV_*_PORT."""
import os
import signal
import sys
import time
from pathlib import Path

from . import cognito_bootstrap
from .backend import backend_binary, migrate_and_seed
from .cognito import Emulator
from .edge import Edge
from .postgres import Cluster
from .frontend import serve_stub
from .processes import ROOT
from .prometheus import start_prometheus


def port(name: str, default: int) -> int:
    return int(os.environ.get(f"DEV_{name}_PORT", default))


def run(replicas: int, standby: bool) -> int:
    """Starts everything, prints where it is, and runs until Ctrl-C (or until one of its processes exits)."""
    state = Path(os.environ.get("DEV_STATE_DIR", ROOT / ".dev"))
    state.mkdir(parents=True, exist_ok=True)
    api, envoy, envoy_admin = port("API", 4567), port("ENVOY", 8000), port("ENVOY_ADMIN", 9901)
    frontend_port, prometheus_port = port("FRONTEND", 3000), port("PROMETHEUS", 9090)
    frontend = f"http://127.0.0.1:{frontend_port}"
    stoppable = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        primary = Cluster("postgres", under=state)
        stoppable.append(primary)
        migrate_and_seed(primary.url, backend_binary())
        database = {"CONNECTION_URL": primary.url}
        standby_line = ""
        if standby:
            copy = Cluster("postgres-standby", primary=primary, under=state)
            stoppable.append(copy)
            # Writes follow a promotion: the primary first, then the standby (target_session_attrs=read-write).
            database = {"READ_CONNECTION_URL": copy.url,
                        "CONNECTION_URL": f"postgresql://postgres@127.0.0.1:{primary.port},127.0.0.1:{copy.port}/postgres"}
            standby_line = f"  Standby    {copy.url}   (anonymous reads; docs/scaling.md)\n"

        emulator = Emulator(port("COGNITO", 5001), logs=state)
        stoppable.append(emulator)
        edge = Edge("dev", {**emulator.cognito.backend_env(), **database}, frontend, replicas, logs=state,
                    first_port=api, listen_port=envoy, admin_port=envoy_admin, backend_defaults={},
                    envoy_env={"HEALTH_CHECK_INTERVAL": "1s"})  # envoy/render's own default
        stoppable.append(edge)
        site_server = serve_stub(frontend_port, f"http://127.0.0.1:{envoy}", emulator.cognito, state / "frontend",
                                 logs=state)
        stoppable.append(site_server)
        prometheus = start_prometheus(prometheus_port, edge.ports, envoy_admin, state, logs=state)
        stoppable.append(prometheus)

        print(f"""
Cruddur dev stack is up (logs in {state}):
  frontend   {frontend}/index.html
  API        http://127.0.0.1:{envoy}/api/activities/home   (through Envoy)
  backends   {replicas} replica(s) from http://127.0.0.1:{api}/api/health-check (direct; not for browsers)
  Cognito    {emulator.cognito.endpoint}                     (moto, pool {emulator.cognito.pool_id})
  Postgres   {primary.url}
{standby_line}  Prometheus http://127.0.0.1:{prometheus_port}                     (every replica and the edge; docs/observability.md)
Demo users (password {cognito_bootstrap.DEMO_PASSWORD}): {", ".join(u["email"] for u in cognito_bootstrap.DEMO_USERS)}
Ctrl-C stops everything.""", flush=True)
        processes = [emulator.process, *edge.replicas, edge.envoy, site_server, prometheus]
        while all(process.popen.poll() is None for process in processes):
            time.sleep(0.5)
        exited = next(process for process in processes if process.popen.poll() is not None)
        print(f"dev: {exited.name} exited; see {exited.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        print("\ndev: stopping", flush=True)
        for each in reversed(stoppable):
            each.stop()
