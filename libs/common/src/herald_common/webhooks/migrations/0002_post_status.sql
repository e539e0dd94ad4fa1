-- The notifier's view of each post's platforms, kept with the gateway's status rules
-- (herald_common.poststatus) so it can tell receivers when a post's overall status changes.
CREATE TABLE post_targets (
    post_id     text     NOT NULL,
    platform    text     NOT NULL,
    status      text     NOT NULL,
    attempt     integer  NOT NULL DEFAULT 0,
    live_parts  integer  NOT NULL DEFAULT 0,
    PRIMARY KEY (post_id, platform)
);

CREATE TABLE posts (
    post_id      text        PRIMARY KEY,
    business_id  bigint      NOT NULL,
    status       text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX posts_updated ON posts (updated_at);
