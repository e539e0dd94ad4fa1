import { useState } from "react";
import { Link } from "react-router-dom";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { StatusBadge, statusLabel } from "@/components/ui/StatusBadge";
import { EmptyState } from "@/components/ui/EmptyState";
import { PLATFORMS, PLATFORM_NAMES, type PostStatus } from "@/api/types";
import { browserZone, formatInstant } from "@/lib/zoned-time";
import { useHistory } from "../api/history";

const STATUSES: PostStatus[] = ["scheduled", "publishing", "published", "partially_published", "failed", "cancelled", "missed"];

export function RecentPostsPage({ businessId }: { businessId: number }) {
  const [status, setStatus] = useState<PostStatus | "">("");
  const [platform, setPlatform] = useState("");
  const history = useHistory(businessId, { status, platform });
  const zone = browserZone();
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="stack" aria-labelledby="posts-title">
      <h1 id="posts-title">Recent posts</h1>
      <div className="row wrap">
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as PostStatus | "")}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusLabel(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Platform
          <select value={platform} onChange={(e) => setPlatform(e.target.value)}>
            <option value="">Any</option>
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {PLATFORM_NAMES[p]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {history.isPending && <Spinner label="Loading posts…" />}
      <ErrorMessage error={history.error} prefix="Could not load posts" />
      {!history.isPending && items.length === 0 && !history.error && (
        <EmptyState title="No posts yet">
          <p>
            <Link to="/">Write your first post</Link>; it appears here as soon as it is accepted.
          </p>
        </EmptyState>
      )}
      <ul className="post-list">
        {items.map((p) => (
          <li key={p.id} className="card row wrap">
            <StatusBadge status={p.status} />
            <Link to={`/posts/${p.id}`} className="grow">
              {p.content.slice(0, 80) || "(per-platform texts)"}
            </Link>
            <span className="muted">{p.platforms.map((t) => PLATFORM_NAMES[t.platform]).join(", ")}</span>
            <span className="muted">{formatInstant(p.scheduled_for ?? p.created_at, zone, false)}</span>
          </li>
        ))}
      </ul>
      {history.hasNextPage && (
        <Button busy={history.isFetchingNextPage} onClick={() => history.fetchNextPage()}>
          Show older posts
        </Button>
      )}
    </section>
  );
}
