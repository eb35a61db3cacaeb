"""The cruddur binary: which build, its database prepared (migrate, seed), a replica serving."""
import os
import subprocess
from pathlib import Path

from .processes import ROOT, Process, free_port, wait_http

# What the end-to-end suites want of a replica unless they say otherwise: they stop replicas often (no drain
# period) and post a lot (no write limit). bin/dev runs replicas with the server's own defaults.
TEST_DEFAULTS = {"DRAIN_SECONDS": "0", "WRITE_RATE_PER_MINUTE": "0"}


def backend_binary() -> str:
    """The debug build (`CRUDDUR_BIN` names another)."""
    binary = os.environ.get("CRUDDUR_BIN", str(ROOT / ".build" / "debug" / "cruddur"))
    if not Path(binary).exists():
        raise FileNotFoundError(f"{binary} is missing: run `swift build` first (bin/test does)")
    return binary


def release_binary() -> str:
    """The optimised build, for the suites that hold the server to a latency bound under load."""
    binary = os.environ.get("CRUDDUR_RELEASE_BIN", str(ROOT / ".build" / "release" / "cruddur"))
    if not Path(binary).exists():
        raise FileNotFoundError(f"{binary} is missing: run `swift build -c release --product cruddur` (bin/test does)")
    return binary


def migrate_and_seed(url: str, binary: str | None = None) -> None:
    """The migrations and the seed applied to `url` by the binary itself, as compose's `migrate` does."""
    for command in ["migrate", "seed"]:
        subprocess.run(
            [binary or backend_binary(), command], env={"CONNECTION_URL": url, "LOG_LEVEL": "warning"},
            cwd=ROOT, check=True, capture_output=True, timeout=60,
        )


def start_backend(name: str, env: dict, port: int | None = None, binary: str | None = None,
                  logs: Path | None = None, defaults: dict = TEST_DEFAULTS,
                  unset: list[str] = ()) -> tuple[Process, str]:
    """A replica on 127.0.0.1:`port` (a free one), once it answers its liveness route: the process and its URL.
    Its settings: ours, then `defaults`, then `env`, without the variables in `unset`."""
    port = port or free_port()
    process = Process(
        name, [binary or backend_binary()], logs=logs, unset=unset,
        env={"HOST": "127.0.0.1", "PORT": str(port), **defaults, **env},
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/api/health", process=process.popen)
    return process, url


def prepare_database(cluster, name: str, binary: str | None = None) -> str:
    """A new database `name` in `cluster` (a ``Cluster``), migrated and seeded: its URL."""
    cluster.psql(f"CREATE DATABASE {name}")
    url = cluster.url_for(name)
    migrate_and_seed(url, binary)
    return url
