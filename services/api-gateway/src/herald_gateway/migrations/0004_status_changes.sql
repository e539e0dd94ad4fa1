-- Every status change of a post, in commit order: the live event stream (GET /api/v2/events) reads
-- it, and a client that reconnects with Last-Event-ID resumes after the last id it saw. Rows are
-- written in the same transaction as the status update; writers take a transaction-level lock
-- first, so ids become visible in increasing order and a reader never skips a late commit.
CREATE TABLE status_changes (
    id               bigserial   PRIMARY KEY,
    business_id      bigint      NOT NULL,
    post_id          text        NOT NULL,
    post_status      text        NOT NULL,
    platform         text,
    platform_status  text,
    event_type       text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_changes_business ON status_changes (business_id, id);

-- The history list (GET /api/v2/posts): a business's posts, newest first.
CREATE INDEX posts_business_created ON posts (business_id, created_at DESC, id DESC);
