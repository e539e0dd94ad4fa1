-- Every edit's answer (PATCH /api/v2/posts/{id} through post.edit-requested), so a redelivered
-- edit gets the same answer and changes nothing a second time.
CREATE TABLE edits (
    request_id   text        PRIMARY KEY,
    post_id      text        NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('edited', 'refused')),
    reason       text,
    due_at       timestamptz,
    platforms    text[]      NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT now()
);
