// The server's preview (POST /api/v2/preview) is the only place text rules live: the dashboard
// shows its parts, counts and violations and never counts characters itself.
import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api-client";
import type { Platform, PublishBody } from "@/api/types";

export type PreviewPart = { index: number; text: string; length: number; limit: number; media_urls: string[] };
export type PreviewViolation = { code: string; message: string; details: Record<string, unknown> };
export type PlatformPreview = { platform: Platform; valid: boolean; parts: PreviewPart[]; violations: PreviewViolation[] };
export type Preview = { platforms: PlatformPreview[] };

export function fetchPreview(body: PublishBody, signal?: AbortSignal): Promise<Preview> {
  return api("/api/v2/preview", { method: "POST", body, signal });
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

/** The preview of what is typed, asked for once typing pauses (300 ms). `enabled` is debounced
 * with the body, so a request never goes out for text that was already replaced. */
export function usePreview(body: PublishBody, { enabled = true, delayMs = 300 } = {}) {
  const key = JSON.stringify({ body, enabled: enabled && body.platforms.length > 0 });
  const settled = useDebounced(key, delayMs);
  const asked = JSON.parse(settled) as { body: PublishBody; enabled: boolean };
  const query = useQuery({
    queryKey: ["preview", JSON.stringify(asked.body)],
    queryFn: ({ signal }) => fetchPreview(asked.body, signal),
    enabled: asked.enabled,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
  return { ...query, pending: settled !== key || query.isFetching };
}
