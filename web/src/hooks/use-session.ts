import { useSyncExternalStore } from "react";
import { getSession, onSessionChange, type Session } from "@/lib/session";

export function useSession(): Session | null {
  return useSyncExternalStore(
    (cb) => onSessionChange(cb),
    getSession,
    getSession,
  );
}
