-- A crud or reply that names @handle notifies that user: one row per crud and user named (never the
-- author). Notifications read a user's rows by user_uuid. Cruds written before this migration have none.
CREATE TABLE mentions (
    user_uuid uuid NOT NULL REFERENCES users (uuid) ON DELETE CASCADE,
    activity_uuid uuid NOT NULL REFERENCES activities (uuid) ON DELETE CASCADE,
    PRIMARY KEY (user_uuid, activity_uuid)
);
