# PostgreSQL for bin/test's Swift suites, started the one way the repository starts it (stack/postgres.py,
# through `python3 -m stack postgres`): a throwaway cluster on a loopback port, run as the `postgres` user when
# invoked as root. Sourced.
#   postgres_start DIR [PORT] -> exports POSTGRES_URL, POSTGRES_PORT, POSTGRES_DATA (PORT: a free one)
#     POSTGRES_DURABLE=1 keeps fsync and full_page_writes on (production durability; the tests turn them off)
#     POSTGRES_SETTINGS="-c name=value ..." adds server settings
#   postgres_stop       -> stops it (the data folder stays for inspection)

_postgres_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

_postgres_stack() {
  local options=() word
  [ "${POSTGRES_DURABLE:-0}" = 1 ] && options+=(--durable)
  for word in ${POSTGRES_SETTINGS:-}; do
    [ "$word" = -c ] || options+=(--setting "$word")
  done
  PYTHONPATH="$_postgres_root${PYTHONPATH:+:$PYTHONPATH}" python3 -m stack postgres "$@" "${options[@]}"
}

postgres_start() {
  local assignments
  assignments="$(_postgres_stack start "$1" ${2:+--port "$2"})" || return 1
  eval "$assignments"
  POSTGRES_DIR="$(dirname "$POSTGRES_DATA")"
  export POSTGRES_URL POSTGRES_PORT POSTGRES_DATA POSTGRES_DIR
  echo "postgres: running on 127.0.0.1:$POSTGRES_PORT (data in $POSTGRES_DATA)"
}

postgres_stop() {
  [ -z "${POSTGRES_DIR:-}" ] || _postgres_stack stop "$POSTGRES_DIR" || true
}
