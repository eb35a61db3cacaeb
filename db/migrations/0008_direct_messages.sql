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
