-- A new display name shows on every home feed page the user's cruds are on: an update of a user tells the
-- listening replicas to drop their home feed caches too, as a write to activities does (0006).
CREATE TRIGGER users_notify AFTER UPDATE OF display_name ON users
    FOR EACH STATEMENT EXECUTE FUNCTION cruddur_notify_activities();
