-- Case-insensitive substring search on messages (ILIKE '%term%') through trigrams.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX activities_message_trgm_idx ON activities USING gin (message gin_trgm_ops);
