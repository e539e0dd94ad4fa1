// Who is signed in. The access token lives in this module's memory only (never localStorage):
// a reload signs out, and a script injected into another tab cannot read it from storage.
export type Session = {
  token: string;
  userId: string;
  businessIds: number[];
  businessId: number;
  expiresAt: number; // ms since epoch
};

type Listener = (session: Session | null) => void;
let current: Session | null = null;
const listeners = new Set<Listener>();

export function getSession(): Session | null {
  if (current && current.expiresAt <= Date.now()) setSession(null);
  return current;
}

export function setSession(session: Session | null): void {
  current = session;
  listeners.forEach((l) => l(session));
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A session from a verified-elsewhere JWT: the claims are read for display and routing only. */
export function sessionFromToken(token: string, expiresInSeconds?: number): Session {
  const payload = JSON.parse(base64UrlDecode(token.split(".")[1] ?? "")) as Record<string, unknown>;
  const raw = payload.businesses;
  const businessIds = (Array.isArray(raw) ? raw : raw == null ? [] : [raw]).map(Number);
  const exp = typeof payload.exp === "number" ? payload.exp * 1000 : Date.now() + (expiresInSeconds ?? 3600) * 1000;
  return {
    token,
    userId: String(payload.sub ?? "unknown"),
    businessIds,
    businessId: businessIds[0] ?? 0,
    expiresAt: exp,
  };
}

function base64UrlDecode(value: string): string {
  const padded = value.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (value.length % 4)) % 4);
  return decodeURIComponent(
    Array.from(atob(padded), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
  );
}
