-- One row per (post, platform): the durable timer.
--
-- States: pending -> leased (a replica holds it in its in-memory heap) -> firing (the compare-and-set
-- at the due instant won; the due event is being produced) -> sent. A cancel flips pending|leased to
-- cancelled; late_policy=skip past publish_by turns leased into missed; a retry re-arms sent|firing
-- to pending|leased with attempt+1. `firing` is never cancellable: the due event may be out already.
CREATE TABLE schedules (
    post_id          text        NOT NULL,
    platform         text        NOT NULL,
    business_id      bigint      NOT NULL,
    state            text        NOT NULL
        CHECK (state IN ('pending', 'leased', 'firing', 'sent', 'cancelled', 'missed')),
    due_at           timestamptz NOT NULL,
    scheduled_for    timestamptz NOT NULL,
    attempt          int         NOT NULL DEFAULT 1,
    late_policy      text        NOT NULL,
    grace_seconds    int         NOT NULL,
    publish_by       timestamptz,
    thread_numbering boolean     NOT NULL DEFAULT false,
    target           jsonb       NOT NULL,
    lease_owner      text,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, platform)
);

-- Claiming walks only the rows that are waiting, in due order: cost grows with the rows due soon,
-- not with the backlog of far-future schedules.
CREATE INDEX schedules_pending_due ON schedules (due_at) WHERE state = 'pending';
-- Re-driving after a crash looks only at rows some replica holds.
CREATE INDEX schedules_held_lease ON schedules (lease_until) WHERE state IN ('leased', 'firing');

-- Every cancel's answer, so a redelivered cancel gets the same answer; a row with no schedules behind
-- it is a tombstone: a PostRequested arriving later for that post is stored as cancelled.
CREATE TABLE cancellations (
    request_id   text        PRIMARY KEY,
    post_id      text        NOT NULL,
    outcome      text        NOT NULL CHECK (outcome IN ('cancelled', 'refused')),
    platforms    text[]      NOT NULL DEFAULT '{}',
    reason       text,
    tombstone    boolean     NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cancellations_tombstones ON cancellations (post_id) WHERE tombstone;
