// The live status stream (GET /api/v2/events), shared by the whole app: each change refreshes the
// cached post it concerns; lists are refreshed at most once a second however many posts change.
import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { openEventStream } from "@/lib/sse";
import { getSession } from "@/lib/session";
import type { StatusChange } from "@/api/types";

type LiveStatus = { connected: boolean; lastChange: StatusChange | null };
const LiveContext = createContext<LiveStatus>({ connected: false, lastChange: null });

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext);
}

export function LiveStatusProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const client = useQueryClient();
  const [connected, setConnected] = useState(false);
  const [lastChange, setLastChange] = useState<StatusChange | null>(null);
  const listsTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const stop = openEventStream({
      url: "/api/v2/events",
      token: () => getSession()?.token ?? null,
      onState: setConnected,
      onMessage: (message) => {
        if (message.event !== "status") return;
        const change = JSON.parse(message.data) as StatusChange;
        setLastChange(change);
        void client.invalidateQueries({ queryKey: ["posts", "one", change.post_id] });
        listsTimer.current ??= setTimeout(() => {
          listsTimer.current = null;
          void client.invalidateQueries({ queryKey: ["posts", "scheduled"] });
          void client.invalidateQueries({ queryKey: ["posts", "history"] });
        }, 1000);
      },
    });
    return () => {
      stop();
      setConnected(false);
      if (listsTimer.current) clearTimeout(listsTimer.current);
      listsTimer.current = null;
    };
  }, [enabled, client]);

  const value = useMemo(() => ({ connected, lastChange }), [connected, lastChange]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}
