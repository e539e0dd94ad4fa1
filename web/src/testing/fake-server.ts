// A stand-in for the gateway in component tests: answers fetch() by method and path, and records
// every request so a test can check what the component sent. (End-to-end tests use the real stack.)
import { vi } from "vitest";

export type Handler = (req: { url: URL; method: string; body: unknown; headers: Headers }) => {
  status?: number;
  body?: unknown;
};
export type Recorded = { method: string; path: string; body: unknown; headers: Headers };

export function fakeServer(routes: Record<string, Handler>) {
  const requests: Recorded[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://herald.test");
    const method = (init.method ?? "GET").toUpperCase();
    const body = typeof init.body === "string" ? JSON.parse(init.body) : undefined;
    const headers = new Headers(init.headers);
    requests.push({ method, path: url.pathname, body, headers });
    const handler =
      routes[`${method} ${url.pathname}`] ??
      Object.entries(routes).find(([k]) => {
        const [m, pattern] = k.split(" ");
        return m === method && pattern.endsWith("*") && url.pathname.startsWith(pattern.slice(0, -1));
      })?.[1];
    if (!handler) {
      return new Response(JSON.stringify({ title: "Not found", detail: `no route for ${method} ${url.pathname}` }), {
        status: 404,
        headers: { "Content-Type": "application/problem+json" },
      });
    }
    const { status = 200, body: out = {} } = handler({ url, method, body, headers });
    const type = status >= 400 ? "application/problem+json" : "application/json";
    return new Response(status === 204 ? null : JSON.stringify(out), { status, headers: { "Content-Type": type } });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { requests, fetchMock };
}
