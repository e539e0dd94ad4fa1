// Calendar days as plain dates (YYYY-MM-DD), and the instants bounding them in a zone.
import { dateInput, resolveWall, wallOf } from "@/lib/zoned-time";

export type View = "month" | "week";
export type Day = { key: string; year: number; month: number; day: number; inMonth: boolean };

function fromUtc(ms: number, month: number): Day {
  const d = new Date(ms);
  const day = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  return { ...day, key: dateInput({ ...day, hour: 0, minute: 0 }), inMonth: day.month === month };
}

export function parseDay(key: string): { year: number; month: number; day: number } {
  const [year, month, day] = key.split("-").map(Number);
  return { year, month, day };
}

/** Monday-first weeks covering the month (view "month") or the week (view "week") of `anchor`. */
export function visibleDays(view: View, anchor: string): Day[] {
  const { year, month, day } = parseDay(anchor);
  const dayMs = 86_400_000;
  if (view === "week") {
    const at = Date.UTC(year, month - 1, day);
    const monday = at - ((new Date(at).getUTCDay() + 6) % 7) * dayMs;
    return Array.from({ length: 7 }, (_, i) => ({ ...fromUtc(monday + i * dayMs, month), inMonth: true }));
  }
  const first = Date.UTC(year, month - 1, 1);
  const start = first - ((new Date(first).getUTCDay() + 6) % 7) * dayMs;
  const last = Date.UTC(year, month, 0);
  const weeks = Math.ceil(((last - start) / dayMs + 1) / 7);
  return Array.from({ length: weeks * 7 }, (_, i) => fromUtc(start + i * dayMs, month));
}

/** The first instant of a calendar day in a zone (midnight, or the end of a DST gap at midnight). */
export function dayStart(key: string, zone: string): number {
  const r = resolveWall({ ...parseDay(key), hour: 0, minute: 0 }, zone);
  return r.kind === "overlap" ? r.earlier : r.instant;
}

export function shiftAnchor(view: View, anchor: string, step: number): string {
  const { year, month, day } = parseDay(anchor);
  const d =
    view === "week" ? new Date(Date.UTC(year, month - 1, day + 7 * step)) : new Date(Date.UTC(year, month - 1 + step, 1));
  return dateInput({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 });
}

export function addDays(key: string, n: number): string {
  const { year, month, day } = parseDay(key);
  const d = new Date(Date.UTC(year, month - 1, day + n));
  return dateInput({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0 });
}

export function todayIn(zone: string): string {
  return dateInput(wallOf(Date.now(), zone));
}

export function dayKeyOf(instant: string | number, zone: string): string {
  return dateInput(wallOf(new Date(instant).getTime(), zone));
}
