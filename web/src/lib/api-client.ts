// The one configured API client: same origin, the session's bearer token, RFC 9457 problems
// turned into ApiError with the server's `detail` (what the dashboard shows people).
import { getSession, setSession } from "./session";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail || title);
  }
}

type Options = { method?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal };

export async function apiRequest<T>(path: string, options: Options = {}): Promise<{ status: number; data: T }> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  const session = getSession();
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? "GET",
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if ((error as Error).name === "AbortError") throw error;
    throw new ApiError(0, "Network error", "Herald could not be reached; check your connection and try again.");
  }
  const text = await response.text();
  const data = text ? safeJson(text) : {};
  if (!response.ok) {
    const problem = (data ?? {}) as Record<string, unknown>;
    if (response.status === 401 && session) setSession(null); // expired: back to sign-in
    throw new ApiError(
      response.status,
      String(problem.title ?? response.statusText),
      String(problem.detail ?? problem.title ?? `request failed (${response.status})`),
      problem,
    );
  }
  return { status: response.status, data: data as T };
}

export async function api<T>(path: string, options: Options = {}): Promise<T> {
  return (await apiRequest<T>(path, options)).data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 300) };
  }
}

export function query(params: Record<string, string | number | string[] | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value == null || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(key, String(v));
  }
  const s = search.toString();
  return s ? `?${s}` : "";
}
