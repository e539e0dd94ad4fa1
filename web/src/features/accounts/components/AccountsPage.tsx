import { useEffect, useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { EmptyState } from "@/components/ui/EmptyState";
import { PLATFORMS, PLATFORM_NAMES, type Platform } from "@/api/types";
import { authorizationUrl, CONNECTED_CHANNEL, useAccounts, useDisconnect, type Account } from "../api/accounts";

/** The consent page opens in a new tab, so this tab keeps its in-memory session; the tab the
 * platform sends back announces the new account on a BroadcastChannel (see ConnectedPage). */
function useConnect(businessId: number) {
  const client = useQueryClient();
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const channel = new BroadcastChannel(CONNECTED_CHANNEL);
    channel.onmessage = () => void client.invalidateQueries({ queryKey: ["accounts"] });
    return () => channel.close();
  }, [client]);
  return useMutation({
    mutationFn: async (platform: Platform) => {
      const tab = window.open("", "_blank"); // opened during the click, so no popup blocker objects
      try {
        const url = await authorizationUrl(platform, businessId);
        if (tab) {
          tab.opener = null;
          tab.location.href = url;
        } else window.location.assign(url);
      } catch (error) {
        tab?.close();
        throw error;
      }
    },
  });
}

export function AccountsPage({ businessId }: { businessId: number }) {
  const accounts = useAccounts(businessId);
  const connect = useConnect(businessId);
  return (
    <section className="stack" aria-labelledby="accounts-title">
      <h1 id="accounts-title">Connected accounts</h1>
      <p className="muted">Each platform’s consent page opens in a new tab; this list updates when you approve.</p>
      <div className="row wrap" role="group" aria-label="Connect an account">
        {PLATFORMS.filter((p) => p !== "instagram").map((p) => (
          <Button key={p} busy={connect.isPending && connect.variables === p} onClick={() => connect.mutate(p)}>
            Connect {p === "facebook" ? "Facebook Pages (and their Instagram)" : PLATFORM_NAMES[p]}
          </Button>
        ))}
      </div>
      <ErrorMessage error={connect.error} prefix="Could not start connecting" />
      {accounts.isPending && <Spinner label="Loading accounts…" />}
      <ErrorMessage error={accounts.error} prefix="Could not load accounts" />
      {accounts.data?.length === 0 && (
        <EmptyState title="No account connected">
          <p>Connect one above: you will approve Herald on the platform’s own page, then come back here.</p>
        </EmptyState>
      )}
      <ul className="post-list">
        {accounts.data?.map((a) => <AccountRow key={a.id} account={a} onReconnect={() => connect.mutate(a.platform)} />)}
      </ul>
    </section>
  );
}

function AccountRow({ account: a, onReconnect }: { account: Account; onReconnect: () => void }) {
  const disconnect = useDisconnect();
  const [confirm, setConfirm] = useState(false);
  const name = PLATFORM_NAMES[a.platform] ?? a.platform;
  return (
    <li className="card stack">
      <div className="row wrap">
        <strong>{name}</strong>
        <span className="grow">{a.display_name}</span>
        {a.status === "active" ? <span className="badge status-published">Active</span> : <span className="badge status-failed">Needs sign-in</span>}
      </div>
      {a.status === "reauth_required" && (
        <p className="error">
          {name} no longer accepts Herald’s token for {a.display_name}: posts to it fail until you reconnect.{" "}
          <Button size="sm" variant="primary" onClick={onReconnect}>
            Reconnect {name}
          </Button>
        </p>
      )}
      <div className="row wrap">
        {!confirm && (
          <Button size="sm" variant="danger" onClick={() => setConfirm(true)}>
            Disconnect…
          </Button>
        )}
        {confirm && (
          <>
            <span>Disconnect {a.display_name}? Its tokens are deleted.</span>
            <Button size="sm" variant="danger" busy={disconnect.isPending} onClick={() => disconnect.mutate(a.id)}>
              Yes, disconnect {a.display_name}
            </Button>
            <Button size="sm" onClick={() => setConfirm(false)}>
              Keep it
            </Button>
          </>
        )}
      </div>
      <ErrorMessage error={disconnect.error} prefix="Not disconnected" />
    </li>
  );
}
