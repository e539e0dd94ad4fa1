import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api-client";

export type SignInConfig = {
  mode: "oidc" | "demo" | "none";
  issuer: string | null;
  client_id: string | null;
  scope: string | null;
  audience: string | null;
  demo_businesses: number[];
};

export function useSignInConfig() {
  return useQuery({ queryKey: ["auth", "config"], queryFn: () => api<SignInConfig>("/api/v2/auth/config"), staleTime: Infinity });
}

export function demoSignIn(businessId: number): Promise<{ access_token: string; expires_in: number }> {
  return api("/dev/sign-in", { method: "POST", body: { business_id: businessId } });
}
