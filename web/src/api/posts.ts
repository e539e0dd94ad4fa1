// Posts endpoints shared by the publishing components and several features.
import { useQuery } from "@tanstack/react-query";
import { api, apiRequest, query } from "@/lib/api-client";
import { useLiveStatus } from "@/hooks/use-live-status";
import type { CancelOutcome, PostAccepted, PostPage, PostView, PublishBody, ScheduleBody } from "./types";
import { FINAL_POST_STATUSES } from "./types";

export const postKeys = {
  all: ["posts"] as const,
  one: (id: string) => ["posts", "one", id] as const,
  scheduled: (from: string, to: string) => ["posts", "scheduled", from, to] as const,
  history: (filters: object) => ["posts", "history", filters] as const,
};

export function publishPost(body: PublishBody, idempotencyKey: string): Promise<PostAccepted> {
  const multi = body.overrides && Object.keys(body.overrides).length > 0;
  return api(multi ? "/api/v2/publish/multi-platform" : "/api/v2/publish", {
    method: "POST",
    body,
    headers: { "Idempotency-Key": idempotencyKey },
  });
}

export function schedulePost(body: ScheduleBody, idempotencyKey: string): Promise<PostAccepted> {
  return api("/api/v2/schedule", { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } });
}

export function getPost(id: string): Promise<PostView> {
  return api(`/api/v2/posts/${encodeURIComponent(id)}`);
}

export async function cancelPost(id: string): Promise<{ status: number; outcome: CancelOutcome }> {
  const { status, data } = await apiRequest<CancelOutcome>(`/api/v2/schedule/${encodeURIComponent(id)}`, {
    method: "DELETE",
  });
  return { status, outcome: data };
}

/** Every scheduled post due in [from, to), all pages (the calendar shows a whole month). */
export async function listScheduled(businessId: number, from: string, to: string): Promise<PostView[]> {
  const items: PostView[] = [];
  let cursor: string | null = null;
  do {
    const page: PostPage = await api(
      `/api/v2/scheduled${query({ business_id: businessId, from, to, limit: 200, cursor })}`,
    );
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export function isFinal(post: Pick<PostView, "status">): boolean {
  return FINAL_POST_STATUSES.includes(post.status);
}

/** One post, kept fresh by the live stream; polled only while the stream is down. */
export function usePost(id: string | null | undefined) {
  const live = useLiveStatus();
  return useQuery({
    queryKey: postKeys.one(id ?? ""),
    queryFn: () => getPost(id!),
    enabled: !!id,
    refetchInterval: (q) => (live.connected || (q.state.data && isFinal(q.state.data)) ? false : 3000),
  });
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
