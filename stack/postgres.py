"""The one way this repository starts PostgreSQL: a throwaway cluster on a loopback port (initdb, UTF-8 with the
C.UTF-8 locale, which search depends on), or a hot standby of one (pg_basebackup -R), run as the `postgres`
user when we are root. The end-to-end suites use it directly; bin/test, bin/dev and bench/run through
`python3 -m stack postgres` (bin/lib/postgres.sh)."""
import glob
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .processes import ARTIFACTS, free_port

# Off unless durable: a throwaway cluster need not survive the machine's crash, and tests run faster without.
NOT_DURABLE = ("fsync=off", "full_page_writes=off")


def server_binary(name: str) -> str:
    for directory in ["/usr/lib/postgresql/15/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"))]:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{name}: no PostgreSQL server binaries (bin/setup installs postgresql-15)")


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _run(args: list[str], what: str) -> None:
    result = subprocess.run(_as_owner(args), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"postgres: {what} failed ({result.returncode}): {result.stdout}{result.stderr}")


class Cluster:
    """A cluster in `under/name` (its data in `data/`, its socket and server log beside it) on `port` (a free
    one); with `primary`, a hot standby streaming from it, named `name` in the primary's `pg_stat_replication`.
    `settings` are server settings (`name=value`); `durable` keeps fsync and full_page_writes on."""

    def __init__(self, name: str, primary: "Cluster | None" = None, settings: tuple[str, ...] = (), *,
                 under: Path | None = None, port: int | None = None, durable: bool = False):
        self.name = name
        self.dir = (under or ARTIFACTS) / name
        self.data = self.dir / "data"
        self.port = port or free_port()
        self.settings = (*(() if durable else NOT_DURABLE), *settings)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        if primary is None:
            _run([server_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8"], "initdb")
        else:
            _run([server_binary("pg_basebackup"), "-D", str(self.data), "-R", "-X", "stream", "-c", "fast",
                  "-d", f"host=127.0.0.1 port={primary.port} user=postgres application_name={name}"],
                 "pg_basebackup")
        self.start()
        if primary is not None:
            primary.wait_streaming(name)

    @classmethod
    def running(cls, directory: Path, port: int) -> "Cluster":
        """A cluster started earlier (by another process) in `directory`, on `port`."""
        cluster = cls.__new__(cls)
        cluster.name, cluster.dir, cluster.data, cluster.port = directory.name, directory, directory / "data", port
        cluster.settings = ()
        return cluster

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = " ".join([f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                            *(f"-c {setting}" for setting in self.settings)])
        _run([server_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "30",
              "-o", options, "start"], f"starting the cluster in {self.dir} (see its server.log)")

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_owner([server_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]), capture_output=True
        )

    def kill(self) -> None:
        """The machine lost: SIGKILL to the postmaster and every process of the cluster at once."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        for each in [pid, *map(int, children)]:
            try:
                os.kill(each, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def promote(self) -> None:
        _run([server_binary("pg_ctl"), "-D", str(self.data), "-w", "promote"], "promote")

    def wait_streaming(self, standby: str, seconds: float = 30) -> None:
        """Until `standby` streams from this primary."""
        deadline = time.monotonic() + seconds
        while self.psql(f"SELECT state FROM pg_stat_replication WHERE application_name = '{standby}'").strip() \
                != "streaming":
            assert time.monotonic() < deadline, f"{standby} does not stream"
            time.sleep(0.1)

    def make_synchronous(self, standby: str) -> None:
        """The primary acknowledges a commit once `standby` has it too (and waits for it while it is down)."""
        self.psql(f"""ALTER SYSTEM SET synchronous_standby_names = '"{standby}"'""")  # quoted: a name may hold '-'
        self.psql("SELECT pg_reload_conf()")

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", self.url_for(database), "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return result.stdout
