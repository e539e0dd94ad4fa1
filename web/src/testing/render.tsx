import type { ReactElement } from "react";
import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { AppProvider, makeQueryClient } from "@/app/provider";
import { setSession } from "@/lib/session";

export function signedIn(businessId = 1): void {
  setSession({ token: "test-token", userId: `demo-user-${businessId}`, businessIds: [businessId], businessId, expiresAt: Date.now() + 3_600_000 });
}

export function renderWithApp(ui: ReactElement, { route = "/" }: { route?: string } = {}) {
  const client = makeQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  return render(
    <AppProvider client={client}>
      <MemoryRouter initialEntries={[route]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>{ui}</MemoryRouter>
    </AppProvider>,
  );
}

export function post(overrides: Record<string, unknown> = {}) {
  return {
    id: "p1",
    business_id: 1,
    status: "scheduled",
    content: "Hello",
    scheduled_for: "2030-03-14T09:00:00Z",
    timezone: "Europe/Paris",
    late_policy: "publish",
    created_at: "2030-03-01T09:00:00Z",
    updated_at: "2030-03-01T09:00:00Z",
    platforms: [
      { platform: "linkedin", status: "scheduled", attempts: 0, platform_post_id: null, url: null, parts: [], reason: null, error_code: null, reauth_required: false, next_attempt_at: null },
    ],
    links: { self: "/api/v2/posts/p1" },
    ...overrides,
  };
}
