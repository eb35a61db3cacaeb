# Starts a throwaway PostgreSQL 15 cluster on a free loopback port, run as the `postgres` user when
# invoked as root. Sourced by bin/test, bin/dev and bench/run.
#   postgres_start DIR [PORT] -> exports POSTGRES_URL, POSTGRES_PORT, POSTGRES_DATA (PORT: a free one)
#     POSTGRES_DURABLE=1 keeps fsync and full_page_writes on (production durability; the tests turn them off)
#     POSTGRES_SETTINGS="-c name=value ..." adds server settings
#   postgres_stop       -> stops it (the data folder stays for inspection)

postgres_bin() {
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }
  done
  echo "postgres: no PostgreSQL server binaries found (bin/setup installs postgresql-15)" >&2
  return 1
}

postgres_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

postgres_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

postgres_start() {
  local dir="$1" bin
  bin="$(postgres_bin)"
  POSTGRES_PORT="${2:-$(postgres_free_port)}"
  POSTGRES_DATA="$dir/data"
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
  local durability="-c fsync=off -c full_page_writes=off"
  [ "${POSTGRES_DURABLE:-0}" = 1 ] && durability=""
  postgres_as_owner "$bin/initdb" -D "$POSTGRES_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  postgres_as_owner "$bin/pg_ctl" -D "$POSTGRES_DATA" -l "$dir/server.log" -w -t 30 \
    -o "-p $POSTGRES_PORT -k $dir -c listen_addresses=127.0.0.1 $durability ${POSTGRES_SETTINGS:-}" start >/dev/null
  export POSTGRES_PORT POSTGRES_DATA POSTGRES_BIN="$bin" POSTGRES_DIR="$dir"
  export POSTGRES_URL="postgresql://postgres@127.0.0.1:$POSTGRES_PORT/postgres"
  echo "postgres: running on 127.0.0.1:$POSTGRES_PORT (data in $POSTGRES_DATA)"
}

postgres_stop() {
  [ -n "${POSTGRES_DATA:-}" ] || return 0
  postgres_as_owner "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_DATA" -m fast -w stop >/dev/null 2>&1 || true
}
