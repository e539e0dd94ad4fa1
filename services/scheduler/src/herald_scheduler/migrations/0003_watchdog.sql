-- The stuck-work watchdog. A `sent` row waits for its attempt's result (PostPublished,
-- PostPublishFailed, PostMissed on the lifecycle topic): when it comes the row is `answered`; when
-- `answer_by` passes first the due event is produced again with its original id (`redrives` + 1),
-- and after the last allowed re-drive the row is `failed`. Rows sent before this migration have no
-- `answer_by` and are never re-driven.
ALTER TABLE schedules DROP CONSTRAINT schedules_state_check;
ALTER TABLE schedules ADD CONSTRAINT schedules_state_check
    CHECK (state IN ('pending', 'leased', 'firing', 'sent', 'answered', 'failed', 'cancelled', 'missed'));
ALTER TABLE schedules ADD COLUMN answer_by timestamptz;
ALTER TABLE schedules ADD COLUMN redrives int NOT NULL DEFAULT 0;

-- The watchdog's sweep and the stuck gauge read only rows still waiting for a result.
CREATE INDEX schedules_awaiting_answer ON schedules (answer_by) WHERE state = 'sent';
