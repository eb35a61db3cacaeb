#!/bin/sh
# Run once by the postgres image when db's data folder is made (docker-compose.yml mounts it into
# /docker-entrypoint-initdb.d): lets db-standby stream from db over the compose network, with a password.
echo "host replication all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
