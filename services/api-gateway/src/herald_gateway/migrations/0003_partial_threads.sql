-- How many parts a platform's post has, so a partially published thread can say "2 of 3 live".
-- NULL until a final result names it (and for rows written before this column existed).
ALTER TABLE post_targets ADD COLUMN parts_planned int;
