# bench/run --standby: the database tier of issue 23, sourced by bench/run after its liveness scenario (it uses
# bench/run's serve, scenario, replay of settings and the bench database).

echo "bench: a streaming standby of the bench database"
# As durable as the primary: synchronous commit waits for the standby's flush, which is what it costs.
POSTGRES_DURABLE=1 postgres_standby "$out/postgres-standby"
standby_db="${STANDBY_URL%/postgres}/cruddur_bench"
reads_port="$(free_port)"
serve server-standby "$reads_port" FEED_CACHE_MS=0 READ_CONNECTION_URL="$standby_db" REPLICA_PROBE_MS=100
reads="http://127.0.0.1:$reads_port"
until curl -fsS "$reads/api/health-check" | grep -q '"standby":"ok"'; do sleep 0.1; done

# Anonymous home without the feed cache, served by the standby and by the primary, in turns; the primary's CPU
# per request is read from its processes' counters (PostgreSQL's, not the server's, which runs on both).
env wrk -t2 -c"$connections" -d2s -s bench/wrk/scenario.lua "$reads/api/activities/home" >/dev/null
for round in 1 2 3; do
  pg_cpu=1 scenario "anonymous home, no feed cache, on the primary #$round" "$uncached/api/activities/home"
  pg_cpu=1 scenario "anonymous home, no feed cache, on the standby #$round" "$reads/api/activities/home"
done

# The standby's replay lag under the create load, as the server measures it (its metric, every 100 ms) and as
# PostgreSQL does (pg_stat_replication.replay_lag on the primary).
lag_samples="$out/replay-lag.txt"
python3 - "$reads/metrics" "$POSTGRES_URL" "$lag_samples" <<'PY' &
import re, subprocess, sys, time, urllib.request
metrics, primary, out = sys.argv[1:4]
with open(out, "w") as samples:
    while True:
        text = urllib.request.urlopen(metrics, timeout=2).read().decode()
        server = re.search(r"^cruddur_standby_replay_lag_seconds\{[^}]*\} (\S+)", text, re.M)
        postgres = subprocess.run(["psql", primary, "-Atc", "SELECT coalesce(extract(epoch FROM replay_lag), 0) "
                                   "FROM pg_stat_replication"], capture_output=True, text=True).stdout.strip()
        samples.write(f"{server.group(1) if server else ''} {postgres}\n")
        samples.flush()
        time.sleep(0.1)
PY
sampler=$!
scenario "create a crud, asynchronous standby, lag sampled" "$reads/api/activities" BENCH_TOKENS="$one" \
  BENCH_METHOD=POST BENCH_BODY='{"message": "A benchmark crud", "ttl": "1-hour"}'
kill "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
python3 - "$lag_samples" >>"$raw" <<'PY'
import json, sys
rows = [line.split() for line in open(sys.argv[1]) if len(line.split()) == 2]
def percentile(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 2) if values else None
for index, source in enumerate(["the server's measurement", "pg_stat_replication.replay_lag"]):
    values = [float(row[index]) for row in rows]
    print(json.dumps({"kind": "lag", "name": f"replay lag under create, {source}", "samples": len(values),
                      "p50_ms": percentile(values, 0.5), "p99_ms": percentile(values, 0.99)}))
PY

# The price of synchronous commit: create with the standby synchronous and asynchronous, in turns.
for round in 1 2; do
  for mode in synchronous asynchronous; do
    names=""
    [ "$mode" = synchronous ] && names="postgres-standby"
    psql "$POSTGRES_URL" -qc "ALTER SYSTEM SET synchronous_standby_names = '$names'" -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    scenario "create a crud, $mode standby #$round" "$reads/api/activities" BENCH_TOKENS="$one" BENCH_METHOD=POST \
      BENCH_BODY='{"message": "A benchmark crud", "ttl": "1-hour"}'
  done
done
psql "$POSTGRES_URL" -qc "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()" >/dev/null

# The expiry job under the create load: one server with the job every second, creating while it has nothing to
# delete, then right after 100k expired cruds (a tenth of them replies) are inserted; three times, in turns.
expiry_port="$(free_port)"
serve server-expiry "$expiry_port" EXPIRY_PURGE_SECONDS=1 EXPIRY_GRACE_SECONDS=0
expiry="http://127.0.0.1:$expiry_port"
expired_sql="
WITH parents AS (
  INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at)
  SELECT gen_random_uuid(), (SELECT uuid FROM users ORDER BY handle LIMIT 1), 'expired ' || g,
         now() - interval '2 hours', now() - interval '3 hours'
  FROM generate_series(1, 90000) g RETURNING uuid, user_uuid)
INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at, reply_to_activity_uuid, reply_to_user_uuid)
SELECT gen_random_uuid(), user_uuid, 'expired reply', now() - interval '2 hours', now() - interval '150 minutes',
       uuid, user_uuid FROM parents LIMIT 10000"
expiry_times=()
for round in 1 2 3; do
  seconds=6 scenario "create a crud, expiry job idle #$round" "$expiry/api/activities" BENCH_TOKENS="$one" \
    BENCH_METHOD=POST BENCH_BODY='{"message": "A benchmark crud", "ttl": "1-hour"}'
  psql "$database" -qc "$expired_sql"
  inserted="$(date +%s.%N)"
  seconds=6 scenario "create a crud, expiry job deleting 100k #$round" "$expiry/api/activities" BENCH_TOKENS="$one" \
    BENCH_METHOD=POST BENCH_BODY='{"message": "A benchmark crud", "ttl": "1-hour"}'
  until [ "$(psql "$database" -Atc "SELECT count(*) FROM activities WHERE expires_at < now()")" = 0 ]; do sleep 0.2; done
  expiry_times+=("$(python3 -c "import sys, time; print(round(time.time() - float(sys.argv[1]), 1))" "$inserted")")
done
for round in 1 2 3; do
  echo "{\"kind\": \"expiry\", \"name\": \"expiry job: 100k expired cruds gone after (s) #$round\"," \
    "\"value\": ${expiry_times[$((round - 1))]}}" >>"$raw"
done
