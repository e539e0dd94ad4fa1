-- Social accounts businesses connected through OAuth. Written by the gateway (connect, list,
-- disconnect) and by the publishers (token refresh, reauth marks). Tokens are AES-GCM sealed:
-- key_id says which key; the blobs are nonce || ciphertext. No plaintext token is ever stored.
CREATE TABLE connected_accounts (
    id                  text        PRIMARY KEY,
    business_id         bigint      NOT NULL,
    platform            text        NOT NULL,
    account_id          text        NOT NULL,   -- member URN, X user id, page id, IG user id
    display_name        text        NOT NULL,
    status              text        NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'reauth_required')),
    key_id              text        NOT NULL,
    access_token        bytea       NOT NULL,
    refresh_token       bytea,
    token_secret        bytea,
    access_expires_at   timestamptz,
    refresh_expires_at  timestamptz,
    scopes              text        NOT NULL DEFAULT '',
    connected_by        text        NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (business_id, platform, account_id)
);
CREATE INDEX connected_accounts_business ON connected_accounts (business_id, platform);
