import { memo } from "react";
import type { PostView } from "@/api/types";
import { formatTime } from "@/lib/zoned-time";
import { statusLabel } from "@/components/ui/StatusBadge";

/** A day's posts as buttons: the time in the viewer's zone, the start of the text, the status as colour and words. */
export const DayList = memo(function DayList({
  posts,
  zone,
  max,
  onOpen,
  onMore,
}: {
  posts: PostView[];
  zone: string;
  max?: number;
  onOpen: (id: string) => void;
  onMore?: () => void;
}) {
  const shown = max != null ? posts.slice(0, max) : posts;
  return (
    <ul className="day-list">
      {shown.map((p) => {
        const time = formatTime(p.scheduled_for!, zone);
        const text = p.content.slice(0, 40) || "(per-platform texts)";
        return (
          <li key={p.id}>
            <button
              type="button"
              className={`chip status-${p.status}`}
              onClick={() => onOpen(p.id)}
              title={`${statusLabel(p.status)}: ${p.content}`}
              aria-label={`${time} ${text}, ${statusLabel(p.status)}`}
            >
              <time dateTime={p.scheduled_for ?? undefined}>{time}</time> <span className="chip-text">{text}</span>
            </button>
          </li>
        );
      })}
      {max != null && posts.length > max && (
        <li>
          <button type="button" className="more" onClick={onMore}>
            +{posts.length - max} more
          </button>
        </li>
      )}
    </ul>
  );
});
