-- The schema the migrations in db/migrations produce, in one file, for readers and for fresh databases.
-- A test (SchemaTests) keeps it equal to what the migrations build.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Search's word lookup (migration 0013): a message's words, and what every message holding a term holds.
CREATE FUNCTION message_words(message text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_tsvector(array_remove(regexp_split_to_array(
        regexp_replace(lower(message), '([[:alnum:]]{32})[[:alnum:]]+', '\1', 'g'), '[^[:alnum:]]+'), ''));

CREATE FUNCTION search_words(term text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (
        SELECT string_agg('''' || left(p.w, 32) || '''' || CASE WHEN p.i = p.n THEN ':*' ELSE '' END, ' & ')::tsquery
        FROM (SELECT w, i, cardinality(a) AS n
              FROM regexp_split_to_array(lower(term), '[^[:alnum:]]+') AS a, unnest(a) WITH ORDINALITY AS u(w, i)) AS p
        WHERE p.i > 1 AND (p.i < p.n OR char_length(p.w) >= 4));

CREATE TABLE schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    uuid uuid PRIMARY KEY,
    cognito_user_id text UNIQUE,
    handle text NOT NULL CHECK (handle ~ '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$' AND handle !~ '\.\.'),
    display_name text NOT NULL,
    email text,
    bio text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_handle_lower_key ON users (lower(handle));

CREATE TABLE activities (
    uuid uuid PRIMARY KEY,
    user_uuid uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    message text NOT NULL,
    replies_count integer NOT NULL DEFAULT 0 CHECK (replies_count >= 0),
    reposts_count integer NOT NULL DEFAULT 0 CHECK (reposts_count >= 0),
    likes_count integer NOT NULL DEFAULT 0 CHECK (likes_count >= 0),
    reply_to_activity_uuid uuid REFERENCES activities (uuid) ON DELETE CASCADE,
    visibility text NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'members')),
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- The author of the crud this one replies to: notifications are one index scan.
    reply_to_user_uuid uuid REFERENCES users (uuid) ON DELETE CASCADE,
    -- MessageRules' measure: at most 4 scalars per allowed character (280 for a crud, 1024 for a reply).
    CONSTRAINT activities_message_check CHECK (
        char_length(message) >= 1
        AND char_length(message) <= CASE WHEN reply_to_activity_uuid IS NULL THEN 1120 ELSE 4096 END
    )
);
CREATE INDEX activities_feed_idx ON activities (created_at DESC, uuid DESC) WHERE reply_to_activity_uuid IS NULL;
CREATE INDEX activities_user_feed_idx ON activities (user_uuid, created_at DESC, uuid DESC);
CREATE INDEX activities_replies_idx ON activities (reply_to_activity_uuid, created_at, uuid)
    WHERE reply_to_activity_uuid IS NOT NULL;
CREATE INDEX activities_notifications_idx ON activities (reply_to_user_uuid, created_at DESC, uuid DESC)
    WHERE reply_to_user_uuid IS NOT NULL;
CREATE INDEX activities_message_trgm_idx ON activities USING gin (message gin_trgm_ops);
CREATE INDEX activities_created_idx ON activities (created_at DESC, uuid DESC);
CREATE INDEX activities_message_words_idx ON activities USING gin (message_words(message));
CREATE INDEX activities_user_count_idx ON activities (user_uuid, expires_at) INCLUDE (visibility)
    WHERE reply_to_activity_uuid IS NULL;
-- The expired-crud purge's (migration 0014).
CREATE INDEX activities_expires_idx ON activities (expires_at);

-- Idempotency-Key: a caller's key and the crud or reply its first request created, kept 24 hours.
CREATE TABLE idempotency_keys (
    user_uuid uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    activity_uuid uuid NOT NULL REFERENCES activities (uuid) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_uuid, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
CREATE INDEX idempotency_keys_activity_idx ON idempotency_keys (activity_uuid);

-- Writes to activities notify the replicas (LISTEN cruddur_activities) to drop their feed caches.
CREATE FUNCTION cruddur_notify_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cruddur_activities', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_notify AFTER INSERT OR UPDATE OR DELETE ON activities
    FOR EACH STATEMENT EXECUTE FUNCTION cruddur_notify_activities();
CREATE TRIGGER users_notify AFTER INSERT OR UPDATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION cruddur_notify_activities();

-- Direct messages: conversations of two people. A pair has one conversation (user_a < user_b, unique),
-- so two people writing to each other at once end up in the same one.
CREATE TABLE message_groups (
    uuid uuid PRIMARY KEY,
    user_a uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    user_b uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    last_message_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (user_a < user_b),
    UNIQUE (user_a, user_b)
);
-- A member's conversations, most recent first, from either side: two index scans merged.
CREATE INDEX message_groups_a_idx ON message_groups (user_a, last_message_at DESC, uuid DESC);
CREATE INDEX message_groups_b_idx ON message_groups (user_b, last_message_at DESC, uuid DESC);

CREATE TABLE messages (
    uuid uuid PRIMARY KEY,
    message_group_uuid uuid NOT NULL REFERENCES message_groups (uuid) ON DELETE CASCADE,
    user_uuid uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    -- The same measure as replies (MessageRules.reply: 1024 characters, 4 scalars each).
    message text NOT NULL CHECK (char_length(message) BETWEEN 1 AND 4096),
    idempotency_key text CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
    created_at timestamptz NOT NULL DEFAULT now()
);
-- A conversation's messages, newest first, keyset by (created_at, uuid).
CREATE INDEX messages_group_idx ON messages (message_group_uuid, created_at DESC, uuid DESC);
-- A retried write (same author, same Idempotency-Key) finds the message it stored.
CREATE UNIQUE INDEX messages_idempotency_key ON messages (user_uuid, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- A crud or reply that names @handle notifies that user: one row per crud and user named (never the
-- author). Notifications read a user's rows by user_uuid. Cruds written before this migration have none.
CREATE TABLE mentions (
    user_uuid uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    activity_uuid uuid NOT NULL REFERENCES activities (uuid) ON DELETE CASCADE,
    PRIMARY KEY (user_uuid, activity_uuid)
);
CREATE INDEX mentions_activity_idx ON mentions (activity_uuid);
