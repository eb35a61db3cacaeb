-- Replicas also keep profiles for up to FEED_CACHE_MS: any write to a user (a new bio, a claimed demo user's
-- Cognito id, a new user) tells them to drop their caches, not only a new display name (0007).
DROP TRIGGER users_notify ON users;
CREATE TRIGGER users_notify AFTER INSERT OR UPDATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION cruddur_notify_activities();
