"""python3 -m stack dev [--replicas N] [--standby]     the whole stack, until Ctrl-C (bin/dev)
python3 -m stack postgres start DIR [--port P] [--durable] [--setting NAME=VALUE ...]
python3 -m stack postgres stop DIR
`postgres start` prints shell assignments, POSTGRES_URL, POSTGRES_PORT and POSTGRES_DATA, which
bin/lib/postgres.sh evaluates (bin/test's PostgreSQL for the Swift suites)."""
import argparse
import shlex
import sys
from pathlib import Path

from . import dev
from .postgres import Cluster


def postgres(args: argparse.Namespace) -> int:
    directory = Path(args.dir).resolve()
    if args.action == "stop":
        Cluster.running(directory, 0).stop()
        return 0
    cluster = Cluster(directory.name, under=directory.parent, port=args.port, durable=args.durable,
                      settings=tuple(args.setting))
    for name, value in [("URL", cluster.url), ("PORT", cluster.port), ("DATA", cluster.data)]:
        print(f"POSTGRES_{name}={shlex.quote(str(value))}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 -m stack", description="Starts the stack or a part of it.")
    commands = parser.add_subparsers(dest="command", required=True)
    whole = commands.add_parser("dev", help="the whole stack, until Ctrl-C")
    whole.add_argument("--replicas", type=int, default=2)
    whole.add_argument("--standby", action="store_true")
    database = commands.add_parser("postgres", help="a throwaway PostgreSQL cluster")
    database.add_argument("action", choices=["start", "stop"])
    database.add_argument("dir")
    database.add_argument("--port", type=int)
    database.add_argument("--durable", action="store_true", help="fsync and full_page_writes on")
    database.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    if args.command == "dev":
        if args.replicas < 1:
            parser.error("--replicas must be a whole number from 1")
        return dev.run(args.replicas, args.standby)
    return postgres(args)


if __name__ == "__main__":
    sys.exit(main())
