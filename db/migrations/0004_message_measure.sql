-- A message is measured as the app measures it (MessageRules): at most 4 Unicode scalars per allowed
-- character, 280 characters for a crud and 1024 for a reply. The app also counts characters; the schema
-- bounds what it can count (char_length counts scalars), so no valid message can break this CHECK.
ALTER TABLE activities DROP CONSTRAINT activities_message_check;
ALTER TABLE activities ADD CONSTRAINT activities_message_check CHECK (
    char_length(message) >= 1
    AND char_length(message) <= CASE WHEN reply_to_activity_uuid IS NULL THEN 1120 ELSE 4096 END
);
