"""Issue 23's expiry: 100k cruds already expired (replies, mentions and idempotency keys hanging on some) are
deleted by the server's purge within its bound, the live ones stay, VACUUM gives the space back to the table,
and a second round of as many fits in that space: storage stays bounded under create and expire."""
import time

from stack import Cluster, prepare_database, start_backend

DATABASE = "cruddur_expiry"
PARENTS, REPLIES, MENTIONS = 90_000, 10_000, 5_000

EXPIRED = f"""
WITH author AS (SELECT uuid FROM users ORDER BY handle LIMIT 1),
     other AS (SELECT uuid FROM users ORDER BY handle DESC LIMIT 1),
     parents AS (
        INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at)
        SELECT gen_random_uuid(), author.uuid, 'expired ' || g, now() - interval '2 hours', now() - interval '3 hours'
        FROM author, generate_series(1, {PARENTS}) g RETURNING uuid, user_uuid),
     numbered AS (SELECT uuid, user_uuid, row_number() OVER () AS n FROM parents),
     replies AS (
        INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at, reply_to_activity_uuid,
                                reply_to_user_uuid)
        SELECT gen_random_uuid(), other.uuid, 'expired reply', now() - interval '2 hours', now() - interval '150 minutes',
               numbered.uuid, numbered.user_uuid
        FROM numbered, other WHERE numbered.n <= {REPLIES}),
     mentions AS (
        INSERT INTO mentions (user_uuid, activity_uuid) SELECT other.uuid, numbered.uuid FROM numbered, other
        WHERE numbered.n > {REPLIES} AND numbered.n <= {REPLIES + MENTIONS}),
     old_keys AS (
        INSERT INTO idempotency_keys (user_uuid, key, request_hash, activity_uuid, created_at)
        SELECT numbered.user_uuid, 'old ' || numbered.n, '\\x00', numbered.uuid, now() - interval '25 hours'
        FROM numbered WHERE numbered.n > {REPLIES + MENTIONS} AND numbered.n <= {REPLIES + MENTIONS + 1000})
UPDATE activities SET replies_count = 1 WHERE uuid IN (SELECT uuid FROM numbered WHERE n <= {REPLIES})
"""

# One expired crud whose idempotency key is still live: a retry must find it, so it stays until the key expires.
LIVE_KEY = """
WITH a AS (INSERT INTO activities (uuid, user_uuid, message, expires_at, created_at)
           SELECT gen_random_uuid(), uuid, 'expired, key live', now() - interval '2 hours', now() - interval '3 hours'
           FROM users ORDER BY handle LIMIT 1 RETURNING uuid, user_uuid)
INSERT INTO idempotency_keys (user_uuid, key, request_hash, activity_uuid) SELECT user_uuid, 'live', '\\x00', uuid FROM a
"""


def sizes(cluster: Cluster) -> tuple[int, int]:
    heap, total = cluster.psql("SELECT pg_relation_size('activities'), pg_total_relation_size('activities')",
                               database=DATABASE).strip().split("|")
    return int(heap), int(total)


def vacuum(cluster: Cluster) -> None:
    """What autovacuum does over two of its rounds: the first deletes the dead rows' index pages, the second finds
    them past every snapshot and gives them to the free space map (a B-tree page deleted by a VACUUM is
    recycled by the next)."""
    for _ in range(2):
        cluster.psql("VACUUM activities", database=DATABASE)


def index_sizes(cluster: Cluster) -> str:
    return cluster.psql("SELECT string_agg(indexrelname || '=' || pg_relation_size(indexrelid) / 1024, ' ') "
                        "FROM pg_stat_user_indexes WHERE relname = 'activities'", database=DATABASE).strip()


def count(cluster: Cluster, where: str, table: str = "activities") -> int:
    return int(cluster.psql(f"SELECT count(*) FROM {table} WHERE {where}", database=DATABASE).strip())


def purge_round(cluster: Cluster) -> float:
    started = time.monotonic()
    cluster.psql(EXPIRED, database=DATABASE)  # one statement: the purge sees all of it or none
    while count(cluster, "expires_at < now()") > 1:
        assert time.monotonic() - started < 90, "the purge did not finish within 90 s"
        time.sleep(0.1)
    return time.monotonic() - started


def test_expired_cruds_are_deleted_in_batches_and_storage_stays_bounded(cognito):
    cluster = Cluster("expiry")
    process = None
    try:
        url = prepare_database(cluster, DATABASE)
        cluster.psql(LIVE_KEY, database=DATABASE)
        live, mentions = count(cluster, "expires_at > now()"), count(cluster, "true", "mentions")
        empty_heap, empty_total = sizes(cluster)
        process, _ = start_backend("backend-expiry", {**cognito.backend_env(), "CONNECTION_URL": url,
                                                      "EXPIRY_PURGE_SECONDS": "1", "EXPIRY_GRACE_SECONDS": "0"})
        took = purge_round(cluster)
        full_heap, full_total = sizes(cluster)  # before VACUUM: the deleted rows' space is still the table's
        vacuum(cluster)
        first_heap, first_total = sizes(cluster)
        first_indexes = index_sizes(cluster)
        took_again = purge_round(cluster)
        vacuum(cluster)
        second_heap, second_total = sizes(cluster)
        print("indexes KiB after the first round:", first_indexes, "after the second:", index_sizes(cluster))
        print(f"expiry: {PARENTS + REPLIES} expired cruds deleted in {took:.1f} s, again in {took_again:.1f} s; "
              f"activities heap/total MiB: seeded {empty_heap / 2**20:.1f}/{empty_total / 2**20:.1f}, "
              f"after the purge {full_heap / 2**20:.1f}/{full_total / 2**20:.1f}, after VACUUM "
              f"{first_heap / 2**20:.1f}/{first_total / 2**20:.1f}, after a second round and VACUUM "
              f"{second_heap / 2**20:.1f}/{second_total / 2**20:.1f}")
        # The bound the docs state: one interval, then 100 batches of 1,000 at a quarter duty (about 30 ms each).
        assert took <= 45 and took_again <= 45
        assert count(cluster, "expires_at > now()") == live
        assert count(cluster, "message = 'expired, key live'") == 1
        assert count(cluster, "true", "mentions") == mentions
        assert count(cluster, "key LIKE 'old %'", "idempotency_keys") == 0
        # The table's pages are free again after VACUUM (the heap gives its tail back to the file system), and the
        # second round's rows took the space the first one freed: the relation did not grow by another round.
        assert first_heap < full_heap / 2
        assert second_total <= first_total * 1.1 + 2**20, (first_total, second_total)
    finally:
        if process is not None:
            process.stop()
        cluster.stop()
