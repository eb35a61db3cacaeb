#!/bin/sh
# db-standby's entrypoint (docker-compose.yml): on first start, a copy of db made with pg_basebackup -R (which
# also writes the settings that make it stream from db), then PostgreSQL as a hot standby serving reads.
# The copy is taken from db once db is healthy; its pg_hba.conf comes with it.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chown postgres "$PGDATA"
  chmod 700 "$PGDATA"
  PGPASSWORD="$POSTGRES_PASSWORD" su-exec postgres pg_basebackup -D "$PGDATA" -R -X stream -c fast \
    -d "host=db port=5432 user=$POSTGRES_USER application_name=db_standby"
fi
exec su-exec postgres postgres -c hot_standby=on -c listen_addresses='*'
