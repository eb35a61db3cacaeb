# Starts a throwaway PostgreSQL 15 cluster on a free loopback port, run as the `postgres` user when
# invoked as root. Sourced by bin/test, bin/dev and bench/run.
#   postgres_start DIR [PORT] -> exports POSTGRES_URL, POSTGRES_PORT, POSTGRES_DATA (PORT: a free one)
#     POSTGRES_DURABLE=1 keeps fsync and full_page_writes on (production durability; the tests turn them off)
#     POSTGRES_SETTINGS="-c name=value ..." adds server settings
#   postgres_standby DIR [PORT] -> a hot standby of that cluster, streaming from it (pg_basebackup -R);
#     exports STANDBY_URL, STANDBY_PORT, STANDBY_DATA. POSTGRES_SYNC_STANDBY=1 makes it synchronous: the
#     primary acknowledges a commit once the standby has it too (and waits for it while it is down)
#   postgres_stop       -> stops both (the data folders stay for inspection)

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

postgres_standby() {
  local dir="$1" name
  STANDBY_PORT="${2:-$(postgres_free_port)}"
  STANDBY_DATA="$dir/data"
  name="$(basename "$dir")"
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown -R postgres "$dir"
  postgres_as_owner "$POSTGRES_BIN/pg_basebackup" -D "$STANDBY_DATA" -R -X stream -c fast \
    -d "host=127.0.0.1 port=$POSTGRES_PORT user=postgres application_name=$name" >"$dir/basebackup.log" 2>&1
  local durability="-c fsync=off -c full_page_writes=off"
  [ "${POSTGRES_DURABLE:-0}" = 1 ] && durability=""
  postgres_as_owner "$POSTGRES_BIN/pg_ctl" -D "$STANDBY_DATA" -l "$dir/server.log" -w -t 30 \
    -o "-p $STANDBY_PORT -k $dir -c listen_addresses=127.0.0.1 $durability ${POSTGRES_SETTINGS:-}" start >/dev/null
  local tries=100
  until [ "$(psql "$POSTGRES_URL" -Atc "SELECT state FROM pg_stat_replication WHERE application_name = '$name'")" = streaming ]; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || { echo "postgres: the standby in $dir does not stream" >&2; return 1; }
    sleep 0.1
  done
  if [ "${POSTGRES_SYNC_STANDBY:-0}" = 1 ]; then
    psql "$POSTGRES_URL" -qc "ALTER SYSTEM SET synchronous_standby_names = '$name'" -c "SELECT pg_reload_conf()" >/dev/null
  fi
  export STANDBY_PORT STANDBY_DATA
  export STANDBY_URL="postgresql://postgres@127.0.0.1:$STANDBY_PORT/postgres"
  echo "postgres: standby of 127.0.0.1:$POSTGRES_PORT running on 127.0.0.1:$STANDBY_PORT (data in $STANDBY_DATA)"
}

postgres_stop() {
  if [ -n "${STANDBY_DATA:-}" ]; then
    postgres_as_owner "$POSTGRES_BIN/pg_ctl" -D "$STANDBY_DATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  [ -n "${POSTGRES_DATA:-}" ] || return 0
  postgres_as_owner "$POSTGRES_BIN/pg_ctl" -D "$POSTGRES_DATA" -m fast -w stop >/dev/null 2>&1 || true
}
