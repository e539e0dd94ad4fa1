import { useInfiniteQuery } from "@tanstack/react-query";
import { api, query } from "@/lib/api-client";
import { postKeys } from "@/api/posts";
import type { PostPage, PostStatus } from "@/api/types";

export type HistoryFilters = { status?: PostStatus | ""; platform?: string };

export function useHistory(businessId: number, filters: HistoryFilters) {
  return useInfiniteQuery({
    queryKey: [...postKeys.history(filters), businessId],
    queryFn: ({ pageParam }) =>
      api<PostPage>(
        `/api/v2/posts${query({ business_id: businessId, status: filters.status, platform: filters.platform, limit: 25, cursor: pageParam })}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
}
