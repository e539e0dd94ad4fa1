-- API keys for services and scripts: shown once, stored only as a SHA-256 of the secret
-- (the secret is 256 random bits, so a fast hash is enough), scoped to one business.
CREATE TABLE api_keys (
    id            text        PRIMARY KEY,           -- also the public prefix: hk_<id>_<secret>
    business_id   bigint      NOT NULL,
    name          text        NOT NULL,
    secret_hash   bytea       NOT NULL,
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX api_keys_business ON api_keys (business_id) WHERE revoked_at IS NULL;
