-- One row per (post, platform): the durable timer.
CREATE TABLE schedules (
    post_id      text        NOT NULL,
    platform     text        NOT NULL,
    business_id  bigint      NOT NULL,
    state        text        NOT NULL,
    due_at       timestamptz NOT NULL,
    attempt      int         NOT NULL DEFAULT 1,
    payload      jsonb       NOT NULL,
    publish_by   timestamptz,
    lease_owner  text,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, platform)
);
