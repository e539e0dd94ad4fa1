import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, query } from "@/lib/api-client";

export type ApiKey = { id: string; name: string; business_id: number; created_at: string; last_used_at: string | null };
export type ApiKeyCreated = ApiKey & { key: string };

const key = ["api-keys"] as const;

export function useApiKeys(businessId: number) {
  return useQuery({ queryKey: [...key, businessId], queryFn: () => api<ApiKey[]>(`/api/v2/api-keys${query({ business_id: businessId })}`) });
}

export function useCreateKey(businessId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<ApiKeyCreated>("/api/v2/api-keys", { method: "POST", body: { name, business_id: businessId } }),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
}

export function useRevokeKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/api/v2/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
}
