-- Idempotency-Key on POST: the same key from the same caller within 24 hours returns the first result.
-- A row is written in the same statement as the crud or reply it names, so both exist or neither.
CREATE TABLE idempotency_keys (
    user_uuid uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    key text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    activity_uuid uuid NOT NULL REFERENCES activities (uuid) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_uuid, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
