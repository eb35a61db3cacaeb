-- Every write to activities tells the listening replicas (LISTEN cruddur_activities) to drop their home
-- feed caches, so a crud posted through one replica shows through every other at once. Once per
-- statement, delivered at commit.
CREATE FUNCTION cruddur_notify_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cruddur_activities', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER activities_notify AFTER INSERT OR UPDATE OR DELETE ON activities
    FOR EACH STATEMENT EXECUTE FUNCTION cruddur_notify_activities();
