import { useCallback, useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { listScheduled, postKeys } from "@/api/posts";
import type { PostView } from "@/api/types";
import { getSession } from "@/lib/session";
import { allZones, browserZone, isZone } from "@/lib/zoned-time";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Modal } from "@/components/ui/Modal";
import { Spinner } from "@/components/ui/Spinner";
import { statusLabel } from "@/components/ui/StatusBadge";
import { PostDetails } from "./PostDetails";
import { DayList } from "./calendar/DayList";
import { addDays, dayKeyOf, dayStart, parseDay, shiftAnchor, todayIn, visibleDays, type View } from "./calendar/grid";

export type ScheduledPostsCalendarProps = {
  businessId?: number;
  timeZone?: string;
  initialView?: View;
  /** A day (YYYY-MM-DD) in the period shown first; today by default. */
  initialDate?: string;
};

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const LEGEND = ["scheduled", "publishing", "published", "partially_published", "failed", "cancelled", "missed"];
const PER_CELL = 3;

/** Scheduled posts by month or week, in the viewer's time zone; click a post for its details. */
export function ScheduledPostsCalendar({ businessId, timeZone, initialView = "month", initialDate }: ScheduledPostsCalendarProps) {
  const business = businessId ?? getSession()?.businessId ?? 0;
  const [zone, setZone] = useState(timeZone ?? browserZone());
  const [view, setView] = useState<View>(initialView);
  const [anchor, setAnchor] = useState(initialDate ?? todayIn(zone));
  const [openPost, setOpenPost] = useState<string | null>(null);
  const [openDay, setOpenDay] = useState<string | null>(null);
  const zones = useMemo(() => allZones([zone]), [zone]);

  const days = useMemo(() => visibleDays(view, anchor), [view, anchor]);
  const from = new Date(dayStart(days[0].key, zone)).toISOString();
  const to = new Date(dayStart(addDays(days[days.length - 1].key, 1), zone)).toISOString();
  const posts = useQuery({
    queryKey: [...postKeys.scheduled(from, to), business],
    queryFn: () => listScheduled(business, from, to),
    placeholderData: (previous) => previous,
  });

  const byDay = useMemo(() => {
    const map = new Map<string, PostView[]>();
    for (const p of posts.data ?? []) {
      if (!p.scheduled_for) continue;
      const key = dayKeyOf(p.scheduled_for, zone);
      const list = map.get(key);
      if (list) list.push(p);
      else map.set(key, [p]);
    }
    for (const list of map.values()) list.sort((a, b) => a.scheduled_for!.localeCompare(b.scheduled_for!));
    return map;
  }, [posts.data, zone]);

  const open = useCallback((id: string) => setOpenPost(id), []);
  const { year, month } = parseDay(anchor);
  const title =
    view === "month"
      ? new Intl.DateTimeFormat(undefined, { month: "long", year: "numeric", timeZone: "UTC" }).format(Date.UTC(year, month - 1, 1))
      : `Week of ${new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeZone: "UTC" }).format(
          Date.UTC(parseDay(days[0].key).year, parseDay(days[0].key).month - 1, parseDay(days[0].key).day),
        )}`;
  const today = todayIn(zone);
  const total = posts.data?.length ?? 0;

  return (
    <section className="calendar" aria-labelledby="calendar-title">
      <header className="calendar-head row wrap">
        <h1 id="calendar-title">{title}</h1>
        <div className="row wrap" role="group" aria-label="Period">
          <Button size="sm" onClick={() => setAnchor(shiftAnchor(view, anchor, -1))} aria-label={`Previous ${view}`}>
            ‹
          </Button>
          <Button size="sm" onClick={() => setAnchor(today)}>
            Today
          </Button>
          <Button size="sm" onClick={() => setAnchor(shiftAnchor(view, anchor, 1))} aria-label={`Next ${view}`}>
            ›
          </Button>
        </div>
        <div className="row" role="group" aria-label="View">
          <Button size="sm" variant={view === "month" ? "primary" : "secondary"} aria-pressed={view === "month"} onClick={() => setView("month")}>
            Month
          </Button>
          <Button size="sm" variant={view === "week" ? "primary" : "secondary"} aria-pressed={view === "week"} onClick={() => setView("week")}>
            Week
          </Button>
        </div>
        <label className="zone-select">
          Time zone
          <select value={zone} onChange={(e) => isZone(e.target.value) && setZone(e.target.value)}>
            {zones.map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        </label>
      </header>
      <p className="muted" aria-live="polite">
        {posts.isFetching ? <Spinner label="Loading scheduled posts…" /> : `${total} scheduled post${total === 1 ? "" : "s"} in this ${view}.`}
      </p>
      <ErrorMessage error={posts.error} prefix="Could not load the calendar" />
      {!posts.isPending && total === 0 && !posts.error && (
        <p className="empty">
          Nothing scheduled in this {view}. Write a post on <a href="/app/">Compose</a> and choose “Schedule…”.
        </p>
      )}
      <ul className="legend" aria-label="Status colours">
        {LEGEND.map((s) => (
          <li key={s} className={`chip status-${s}`}>
            {statusLabel(s)}
          </li>
        ))}
      </ul>
      <div className={`grid grid-${view}`} role="grid" aria-label={title}>
        <div role="row" className="grid-row weekdays">
          {WEEKDAYS.map((d) => (
            <div role="columnheader" key={d}>
              {d}
            </div>
          ))}
        </div>
        {Array.from({ length: days.length / 7 }, (_, w) => (
          <div role="row" className="grid-row" key={w}>
            {days.slice(w * 7, w * 7 + 7).map((d) => {
              const list = byDay.get(d.key) ?? [];
              return (
                <div role="gridcell" key={d.key} className={`cell${d.inMonth ? "" : " outside"}${d.key === today ? " today" : ""}`}>
                  <span className="cell-day">
                    <span aria-hidden="true">{d.day}</span>
                    <span className="sr-only">
                      {d.key}, {list.length} post{list.length === 1 ? "" : "s"}
                    </span>
                  </span>
                  <DayList
                    posts={list}
                    zone={zone}
                    max={view === "month" ? PER_CELL : undefined}
                    onOpen={open}
                    onMore={() => setOpenDay(d.key)}
                  />
                </div>
              );
            })}
          </div>
        ))}
      </div>
      {openDay && !openPost && (
        <Modal title={`Posts on ${openDay}`} onClose={() => setOpenDay(null)}>
          <DayList posts={byDay.get(openDay) ?? []} zone={zone} onOpen={open} />
        </Modal>
      )}
      {openPost && (
        <Modal title="Scheduled post" onClose={() => setOpenPost(null)}>
          <PostDetails postId={openPost} timeZone={zone} />
        </Modal>
      )}
    </section>
  );
}

export default ScheduledPostsCalendar;
