// Wall-clock time in an IANA zone <-> instants, with DST gaps and overlaps made explicit.
// Built on Intl only (the browser's own tz database); no arithmetic on offsets is assumed.
export type Wall = { year: number; month: number; day: number; hour: number; minute: number };

export type Resolution =
  | { kind: "exact"; instant: number }
  | { kind: "gap"; instant: number; skippedMinutes: number }
  | { kind: "overlap"; earlier: number; later: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// ICU lists some zones under their old names (Asia/Calcutta); people look for the current ones.
const CURRENT_NAMES = ["Asia/Kolkata", "Europe/Kyiv", "Asia/Kathmandu", "Asia/Yangon", "America/Nuuk", "Asia/Ho_Chi_Minh", "UTC"];

/** Every IANA zone this browser knows, plus the zone in use (so a select always has it). */
export function allZones(extra: string[] = []): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  const zones = new Set(intl.supportedValuesOf?.("timeZone") ?? []);
  for (const z of [...CURRENT_NAMES, browserZone(), ...extra]) if (isZone(z)) zones.add(z);
  return [...zones].sort();
}

export function isZone(zone: string): boolean {
  try {
    partsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

export function wallOf(instant: number, zone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of partsFormatter(zone).formatToParts(new Date(instant))) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute };
}

/** Minutes the zone is ahead of UTC at that instant. */
export function offsetMinutes(instant: number, zone: string): number {
  const w = wallOf(instant, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  return Math.round((asUtc - Math.floor(instant / 60000) * 60000) / 60000);
}

function wallMs(w: Wall): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
}

function sameWall(a: Wall, b: Wall): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/** The instant(s) a wall-clock time names in a zone: one, none (a DST gap) or two (an overlap). */
export function resolveWall(wall: Wall, zone: string): Resolution {
  const local = wallMs(wall);
  const day = 86_400_000;
  const offsets = [...new Set([offsetMinutes(local - day, zone), offsetMinutes(local + day, zone)])];
  const matches = offsets
    .map((o) => local - o * 60_000)
    .filter((instant) => sameWall(wallOf(instant, zone), wall))
    .sort((a, b) => a - b);
  const unique = [...new Set(matches)];
  if (unique.length === 1) return { kind: "exact", instant: unique[0] };
  if (unique.length === 2) return { kind: "overlap", earlier: unique[0], later: unique[1] };
  // In a gap: read the time with the offset from before the change, which lands after the gap.
  const before = offsetMinutes(local - day, zone);
  const after = offsetMinutes(local + day, zone);
  return { kind: "gap", instant: local - before * 60_000, skippedMinutes: Math.abs(after - before) };
}

/** A date input's and a time input's values (HH:mm or HH:mm:ss); seconds come back apart. */
export function parseWall(date: string, time: string): { wall: Wall; seconds: number } | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!d || !t) return null;
  return { wall: { year: +d[1], month: +d[2], day: +d[3], hour: +t[1], minute: +t[2] }, seconds: +(t[3] ?? 0) };
}

export function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function dateInput(w: Wall): string {
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

export function timeInput(w: Wall): string {
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

export function formatInstant(instant: number | string, zone: string, withZone = true): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(instant)) + (withZone ? ` (${zone})` : "");
}

export function formatTime(instant: number | string, zone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(instant),
  );
}

/** "UTC+02:00" style label of the zone's offset at an instant. */
export function offsetLabel(instant: number, zone: string): string {
  const m = offsetMinutes(instant, zone);
  const sign = m < 0 ? "-" : "+";
  return `UTC${sign}${pad(Math.floor(Math.abs(m) / 60))}:${pad(Math.abs(m) % 60)}`;
}
