-- Which connected account (accounts.connected_accounts.id) a platform target posts under;
-- NULL: the business's default account for that platform when it publishes.
ALTER TABLE post_targets ADD COLUMN account_id text;
-- The first comment each platform receives, so an edit can rebuild the complete target.
ALTER TABLE post_targets ADD COLUMN first_comment text;

-- Edits asked of the scheduler and not yet answered: what the post will look like if the edit
-- wins. The status store applies it when PostEdited arrives (any replica may receive it), and
-- forgets it on PostEditRefused.
CREATE TABLE post_edits (
    request_id     text        PRIMARY KEY,
    post_id        text        NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    content        text,
    scheduled_for  timestamptz,
    timezone       text,
    targets        jsonb       NOT NULL DEFAULT '[]', -- [{platform, content, media_urls, first_comment, account_id}]
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_edits_post ON post_edits (post_id);
