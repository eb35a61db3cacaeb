"""A throwaway PostgreSQL cluster for the end-to-end suites (as bin/lib/postgres.sh, from Python), and streaming
standbys of one (pg_basebackup -R)."""
import glob
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from processes import ARTIFACTS, free_port


def _bin(name: str) -> str:
    for directory in ["/usr/lib/postgresql/15/bin", *sorted(glob.glob("/usr/lib/postgresql/*/bin"))]:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    raise FileNotFoundError(f"{name}: no PostgreSQL server binaries (bin/setup installs postgresql-15)")


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class Cluster:
    """A cluster of its own; with `primary`, a hot standby streaming from it (its copy made with
    `pg_basebackup -R`), named `name` in the primary's `pg_stat_replication`. `settings` are `-c` options."""

    def __init__(self, name: str, primary: "Cluster | None" = None, settings: tuple[str, ...] = ()):
        self.dir = ARTIFACTS / name
        self.data = self.dir / "data"
        self.port = free_port()
        self.settings = settings
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        if primary is None:
            subprocess.run(
                _as_owner([_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                           "--locale=C.UTF-8"]),
                check=True, capture_output=True,
            )
        else:
            subprocess.run(
                _as_owner([_bin("pg_basebackup"), "-D", str(self.data), "-h", "127.0.0.1", "-p", str(primary.port),
                           "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
                           "-d", f"host=127.0.0.1 port={primary.port} user=postgres application_name={name}"]),
                check=True, capture_output=True,
            )
        self.start()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = " ".join([f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
                            *(f"-c {setting}" for setting in self.settings)])
        subprocess.run(
            _as_owner([_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-t", "30",
                       "-o", options, "start"]),
            check=True, capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_owner([_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]), capture_output=True
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
        subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(self.data), "-w", "promote"]), check=True,
                       capture_output=True)

    def wait_streaming(self, standby: str, seconds: float = 30) -> None:
        """Until `standby` streams from this primary."""
        deadline = time.monotonic() + seconds
        while self.psql(f"SELECT state FROM pg_stat_replication WHERE application_name = '{standby}'").strip() \
                != "streaming":
            assert time.monotonic() < deadline, f"{standby} does not stream"
            time.sleep(0.1)

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            ["psql", self.url_for(database), "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return result.stdout
