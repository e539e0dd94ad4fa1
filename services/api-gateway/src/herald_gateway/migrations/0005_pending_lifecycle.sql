-- Lifecycle events for a post the status store does not know yet. A post produced straight onto
-- Kafka reaches the store through the intake consumer of post.requested, on another topic, so its
-- first lifecycle events can be read before its row exists. They wait here and are applied, in
-- order, in the transaction that records the post; rows that wait too long expire (logged, counted).
CREATE TABLE pending_lifecycle (
    seq          bigserial   PRIMARY KEY,
    event_id     text        NOT NULL UNIQUE,   -- a redelivered event is kept once
    post_id      text        NOT NULL,
    event_type   text        NOT NULL,
    data         jsonb       NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_lifecycle_post ON pending_lifecycle (post_id, seq);
CREATE INDEX pending_lifecycle_received ON pending_lifecycle (received_at);
