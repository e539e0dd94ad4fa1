import { useId, useMemo, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Modal } from "@/components/ui/Modal";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { newIdempotencyKey, schedulePost } from "@/api/posts";
import type { LatePolicy, Override, Platform } from "@/api/types";
import {
  allZones,
  isZone,
  browserZone,
  dateInput,
  formatInstant,
  offsetLabel,
  parseWall,
  resolveWall,
  timeInput,
  wallOf,
} from "@/lib/zoned-time";

export type SchedulePostModalProps = {
  isOpen: boolean;
  onClose: () => void;
  content: string;
  platforms: string[];
  businessId: number;
  onScheduled?: (id: string) => void;
  mediaUrls?: string[];
  overrides?: Partial<Record<Platform, Override>>;
  /** The zone offered first; the browser's by default. */
  defaultTimeZone?: string;
};

export function SchedulePostModal(props: SchedulePostModalProps) {
  if (!props.isOpen) return null;
  return <ScheduleForm {...props} />;
}

function defaultWall(zone: string) {
  const inAnHour = Math.ceil((Date.now() + 3_600_000) / 300_000) * 300_000;
  return wallOf(inAnHour, zone);
}

function ScheduleForm({
  onClose,
  content,
  platforms,
  businessId,
  onScheduled,
  mediaUrls,
  overrides,
  defaultTimeZone,
}: SchedulePostModalProps) {
  const [zone, setZone] = useState(defaultTimeZone ?? browserZone());
  const [start] = useState(() => defaultWall(zone));
  const [date, setDate] = useState(dateInput(start));
  const [time, setTime] = useState(timeInput(start));
  const [fold, setFold] = useState<"earlier" | "later">("earlier");
  const [latePolicy, setLatePolicy] = useState<LatePolicy>("publish");
  const zones = useMemo(() => allZones([zone]), [zone]);
  const ids = { date: useId(), time: useId(), zone: useId(), summary: useId() };

  const parsed = parseWall(date, time);
  const resolution = parsed ? resolveWall(parsed.wall, zone) : null;
  const minute =
    resolution == null
      ? null
      : resolution.kind === "overlap"
        ? fold === "earlier"
          ? resolution.earlier
          : resolution.later
        : resolution.instant;
  const instant = minute == null || !parsed ? null : minute + parsed.seconds * 1000;

  const schedule = useMutation({
    mutationFn: () =>
      schedulePost(
        {
          content,
          platforms: platforms as Platform[],
          business_id: businessId,
          scheduled_for: new Date(instant!).toISOString(),
          timezone: zone,
          late_policy: latePolicy,
          ...(mediaUrls?.length ? { media_urls: mediaUrls } : {}),
          ...(overrides && Object.keys(overrides).length ? { overrides } : {}),
        },
        newIdempotencyKey(),
      ),
    onSuccess: (accepted) => {
      onScheduled?.(accepted.id);
      onClose();
    },
  });

  return (
    <Modal title="Schedule post" onClose={onClose}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (instant != null) schedule.mutate();
        }}
      >
        <div className="row wrap">
          <label htmlFor={ids.date}>
            Date
            <input id={ids.date} type="date" value={date} required onChange={(e) => setDate(e.target.value)} />
          </label>
          <label htmlFor={ids.time}>
            Time
            <input id={ids.time} type="time" step={1} value={time} required onChange={(e) => setTime(e.target.value)} />
          </label>
        </div>
        <label htmlFor={ids.zone}>
          Time zone
          <select id={ids.zone} value={zone} onChange={(e) => isZone(e.target.value) && setZone(e.target.value)}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </label>
        {resolution?.kind === "gap" && (
          <p className="notice" role="note">
            {time} does not exist on {date} in {zone}: clocks skip {resolution.skippedMinutes} minutes for daylight
            saving time. The post will go out at {formatInstant(resolution.instant, zone)} instead.
          </p>
        )}
        {resolution?.kind === "overlap" && (
          <fieldset className="notice">
            <legend>
              {time} happens twice on {date} in {zone} (clocks go back). Which one?
            </legend>
            <label>
              <input type="radio" name="fold" checked={fold === "earlier"} onChange={() => setFold("earlier")} />
              The first ({offsetLabel(resolution.earlier, zone)}, {formatInstant(resolution.earlier, "UTC")})
            </label>
            <label>
              <input type="radio" name="fold" checked={fold === "later"} onChange={() => setFold("later")} />
              The second ({offsetLabel(resolution.later, zone)}, {formatInstant(resolution.later, "UTC")})
            </label>
          </fieldset>
        )}
        <p id={ids.summary} className="muted" aria-live="polite">
          {instant != null
            ? `Goes out ${formatInstant(instant, zone)} — ${formatInstant(instant, "UTC")}`
            : "Pick a date and a time."}
        </p>
        <fieldset>
          <legend>If Herald is late (for example after an outage)</legend>
          <label>
            <input
              type="radio"
              name="late_policy"
              checked={latePolicy === "publish"}
              onChange={() => setLatePolicy("publish")}
            />
            Publish late
          </label>
          <label>
            <input type="radio" name="late_policy" checked={latePolicy === "skip"} onChange={() => setLatePolicy("skip")} />
            Skip it (mark as missed)
          </label>
        </fieldset>
        <ErrorMessage error={schedule.error} prefix="Not scheduled" />
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" busy={schedule.isPending} disabled={instant == null || platforms.length === 0}>
            Schedule
          </Button>
        </div>
      </form>
    </Modal>
  );
}

export default SchedulePostModal;
