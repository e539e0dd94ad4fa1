-- Webhook endpoints (written by the gateway) and their deliveries (written by the notifier, listed
-- and redelivered through the gateway). Secrets are AES-GCM sealed like connected accounts' tokens:
-- key_id names the key, the blob is nonce || ciphertext; no plaintext secret is stored.
CREATE TABLE endpoints (
    id                   text        PRIMARY KEY,
    business_id          bigint      NOT NULL,
    url                  text        NOT NULL,
    events               text[]      NOT NULL,
    description          text        NOT NULL DEFAULT '',
    key_id               text        NOT NULL,
    secret               bytea       NOT NULL,
    previous_key_id      text,
    previous_secret      bytea,
    previous_expires_at  timestamptz,  -- the rotated-out secret still signs until then
    disabled_at          timestamptz,
    disabled_reason      text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX endpoints_business ON endpoints (business_id, created_at);

-- One row per (endpoint, webhook message); `id` orders one post's messages to one endpoint.
CREATE TABLE deliveries (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id      text        NOT NULL REFERENCES endpoints (id) ON DELETE CASCADE,
    business_id      bigint      NOT NULL,
    message_id       text        NOT NULL,   -- the webhook-id header: the same on every retry
    post_id          text        NOT NULL,
    event_type       text        NOT NULL,
    body             text        NOT NULL,   -- the exact bytes that are signed and sent
    occurred_at      timestamptz NOT NULL,   -- when the lifecycle event happened
    status           text        NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_status_code integer,
    last_error       text,
    last_latency_ms  integer,
    delivered_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (endpoint_id, message_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_post_pending ON deliveries (endpoint_id, post_id, id) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id DESC);
