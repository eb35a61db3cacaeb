-- Notifications are the replies to a user's cruds, newest first. Keeping the parent's author on each
-- reply lets that feed be one keyset scan of an index, however many cruds the user has.
ALTER TABLE activities ADD COLUMN reply_to_user_uuid uuid REFERENCES users (uuid) ON DELETE CASCADE;
UPDATE activities a SET reply_to_user_uuid = p.user_uuid
FROM activities p
WHERE a.reply_to_activity_uuid = p.uuid;
CREATE INDEX activities_notifications_idx ON activities (reply_to_user_uuid, created_at DESC, uuid DESC)
    WHERE reply_to_user_uuid IS NOT NULL;
