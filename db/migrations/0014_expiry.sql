-- Expired cruds are deleted (ExpiredCrudPurge, every minute, in batches): their rows, and through the foreign
-- keys' cascades their replies, mentions and idempotency keys. The purge finds them by expiry, and each cascade
-- finds a deleted crud's rows by its uuid; without these two indexes every deleted crud cost a sequential scan
-- of mentions and of idempotency_keys.
CREATE INDEX activities_expires_idx ON activities (expires_at);
CREATE INDEX mentions_activity_idx ON mentions (activity_uuid);
CREATE INDEX idempotency_keys_activity_idx ON idempotency_keys (activity_uuid);
