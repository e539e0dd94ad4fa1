-- Posting queues: each connected account's weekly slots in an IANA zone, and which post holds
-- which slot instant. The primary key of queue_claims is what makes two requests asking for the
-- next free slot at once take different slots.
CREATE TABLE queue_schedules (
    account_id   text        PRIMARY KEY,   -- accounts.connected_accounts.id
    business_id  bigint      NOT NULL,
    timezone     text        NOT NULL,
    slots        jsonb       NOT NULL,      -- [{"weekday": "mon", "time": "09:00"}]
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE queue_claims (
    account_id   text        NOT NULL,
    slot_at      timestamptz NOT NULL,
    post_id      text        NOT NULL REFERENCES posts (id) ON DELETE CASCADE
                             DEFERRABLE INITIALLY DEFERRED,  -- taken before the post row is written
    PRIMARY KEY (account_id, slot_at)
);
CREATE INDEX queue_claims_post ON queue_claims (post_id);
