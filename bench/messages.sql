-- Synthetic direct messages for the benchmarks, numbered :from to :to (psql -v from=… -v to=…). The bench
-- user (andrewbrown) has 1,000 conversations with bench peers, plus one with bench_peer_0 that holds every
-- other message: the conversation list and a long conversation both grow as messages are added. Message i was
-- written i seconds ago; ids are derived from i, so the data is the same on every run.
\set ON_ERROR_STOP on
INSERT INTO users (uuid, handle, display_name)
SELECT md5('bench-peer-' || j)::uuid, 'bench_peer_' || j, 'Bench peer ' || j FROM generate_series(0, 1000) AS j
ON CONFLICT DO NOTHING;

WITH me AS (SELECT uuid FROM users WHERE handle = 'andrewbrown'),
     peers AS (SELECT md5('bench-group-' || j)::uuid AS group_uuid, md5('bench-peer-' || j)::uuid AS peer
               FROM generate_series(0, 1000) AS j)
INSERT INTO message_groups (uuid, user_a, user_b, last_message_at)
SELECT group_uuid, least(me.uuid, peer), greatest(me.uuid, peer), now() - interval '1 year' FROM peers, me
ON CONFLICT DO NOTHING;

WITH me AS (SELECT uuid FROM users WHERE handle = 'andrewbrown')
INSERT INTO messages (uuid, message_group_uuid, user_uuid, message, created_at)
SELECT md5('bench-message-' || i)::uuid,
       md5('bench-group-' || CASE WHEN i % 2 = 0 THEN 0 ELSE 1 + i % 1000 END)::uuid,
       CASE WHEN i % 3 = 0 THEN me.uuid
            ELSE md5('bench-peer-' || CASE WHEN i % 2 = 0 THEN 0 ELSE 1 + i % 1000 END)::uuid END,
       'Bench message number ' || i, now() - i * interval '1 second'
FROM generate_series(:from, :to) AS i, me;

UPDATE message_groups g SET last_message_at = m.latest
FROM (SELECT message_group_uuid, max(created_at) AS latest FROM messages GROUP BY 1) m
WHERE m.message_group_uuid = g.uuid;

ANALYZE message_groups;
ANALYZE messages;
