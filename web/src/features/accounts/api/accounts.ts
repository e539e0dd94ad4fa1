import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, query } from "@/lib/api-client";
import type { Platform } from "@/api/types";

export type Account = {
  id: string;
  business_id: number;
  platform: Platform;
  account_id: string;
  display_name: string;
  status: "active" | "reauth_required" | string;
  access_expires_at: string | null;
  created_at: string;
};

const key = ["accounts"] as const;

export function useAccounts(businessId: number) {
  return useQuery({ queryKey: [...key, businessId], queryFn: () => api<Account[]>(`/api/v2/accounts${query({ business_id: businessId })}`) });
}

/** The platform's consent page for this business (the real OAuth redirect; the emulator's in dev). */
export async function authorizationUrl(platform: Platform, businessId: number): Promise<string> {
  const start = await api<{ authorization_url: string }>(
    `/api/oauth/${platform}/authorize${query({ business_id: businessId, format: "json" })}`,
  );
  return start.authorization_url;
}

export function useDisconnect() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api(`/api/v2/accounts/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
}

export const CONNECTED_CHANNEL = "herald.accounts.connected";
