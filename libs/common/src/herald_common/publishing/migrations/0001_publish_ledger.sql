-- The publish ledger: one row per (post, platform, part), written BEFORE each platform call.
-- A row still 'calling' when a post is handled again means an earlier attempt crashed or lost
-- the answer: the platform is asked whether the part exists before anything is sent again.
CREATE TABLE publish_ledger (
    post_id           text        NOT NULL,
    platform          text        NOT NULL,
    part_index        int         NOT NULL,
    state             text        NOT NULL CHECK (state IN ('calling', 'succeeded')),
    attempt           int         NOT NULL,
    content_hash      text        NOT NULL,
    platform_post_id  text,
    url               text,
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    PRIMARY KEY (post_id, platform, part_index)
);
