-- A row's version, bumped by every edit that changes it. The fire-time compare-and-set names the
-- version its timer was armed with: a timer taken before an edit committed (its due event encoded
-- with the old text or time) then loses, even though the row is still leased to the same replica,
-- and the timer the edit armed fires the new form.
ALTER TABLE schedules ADD COLUMN version int NOT NULL DEFAULT 0;
