-- The status store: what clients see of their posts. Owned by the gateway; fed by its own
-- writes and by lifecycle events from the scheduler and publishers.
CREATE TABLE posts (
    id              text        PRIMARY KEY,
    business_id     bigint      NOT NULL,
    status          text        NOT NULL,
    content         text        NOT NULL,
    scheduled_for   timestamptz,
    timezone        text,
    late_policy     text        NOT NULL,
    origin          text        NOT NULL,           -- 'api' or 'kafka' (produced by an internal service)
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX posts_business_scheduled ON posts (business_id, scheduled_for DESC, id DESC)
    WHERE scheduled_for IS NOT NULL;

CREATE TABLE post_targets (
    post_id          text        NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    platform         text        NOT NULL,
    status           text        NOT NULL,
    content          text        NOT NULL,
    media_urls       jsonb       NOT NULL DEFAULT '[]',
    attempts         int         NOT NULL DEFAULT 0,
    parts            jsonb       NOT NULL DEFAULT '[]', -- [{index, platform_post_id, url}]
    reason           text,
    error_code       text,
    reauth_required  boolean     NOT NULL DEFAULT false,
    next_attempt_at  timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, platform)
);

-- Transactional outbox: written in the same transaction as the post, relayed to Kafka.
CREATE TABLE outbox (
    id          bigserial   PRIMARY KEY,
    topic       text        NOT NULL,
    key         bytea       NOT NULL,
    value       bytea       NOT NULL,
    headers     jsonb       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE idempotency_keys (
    business_id    bigint      NOT NULL,
    key            text        NOT NULL,
    request_hash   text        NOT NULL,
    status_code    int         NOT NULL,
    response       jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
