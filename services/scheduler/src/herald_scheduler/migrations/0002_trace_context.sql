-- The W3C trace context (traceparent) of the request that created the row, so its due event — fired
-- seconds or weeks later, possibly by another replica — continues that post's trace. NULL when untraced.
ALTER TABLE schedules ADD COLUMN traceparent text;
