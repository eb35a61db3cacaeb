-- Synthetic cruds for the benchmarks, numbered :from to :to (psql -v from=… -v to=…). Crud i was created
-- i seconds ago, so later batches are older; every tenth is members-only and every tenth (another one)
-- has a reply, chosen (i % 20 in 5, 16) so that every author, the bench user too, receives replies: with
-- every i % 10 = 5 only odd i had one and the bench user (i % 6 = 0) never did, so its notifications were
-- the cheapest of any user's. Ids are derived from i, so the data is the same on every run.
\set ON_ERROR_STOP on
WITH authors AS (SELECT array_agg(uuid ORDER BY handle) AS ids FROM users)
INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at)
SELECT md5('bench-' || i)::uuid, ids[1 + i % array_length(ids, 1)],
       'Bench crud number ' || i || ' about the cloud',
       CASE WHEN i % 10 = 0 THEN 'members' ELSE 'public' END,
       now() + interval '30 days', now() - i * interval '1 second'
FROM generate_series(:from, :to) AS i, authors;

WITH authors AS (SELECT array_agg(uuid ORDER BY handle) AS ids FROM users)
INSERT INTO activities (uuid, user_uuid, message, visibility, expires_at, created_at, reply_to_activity_uuid,
                        reply_to_user_uuid)
SELECT md5('bench-reply-' || i)::uuid, ids[1 + (i + 1) % array_length(ids, 1)], 'A reply to crud ' || i,
       'public', now() + interval '30 days', now() - i * interval '1 second' + interval '100 milliseconds',
       md5('bench-' || i)::uuid, ids[1 + i % array_length(ids, 1)]
FROM generate_series(:from, :to) AS i, authors
WHERE i % 20 IN (5, 16);

UPDATE activities SET replies_count = replies_count + 1
WHERE uuid IN (SELECT md5('bench-' || i)::uuid FROM generate_series(:from, :to) AS i WHERE i % 20 IN (5, 16));

ANALYZE activities;
