import { useEffect } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { PLATFORM_NAMES, type Platform } from "@/api/types";
import { CONNECTED_CHANNEL } from "../api/accounts";

/** Where the gateway sends the browser after a platform's consent (HERALD_OAUTH_SUCCESS_REDIRECT).
 * Needs no session: it tells the dashboard's other tab, which refreshes its list. */
export function ConnectedPage() {
  const [params] = useSearchParams();
  const platform = params.get("connected") as Platform | null;
  const name = (platform && PLATFORM_NAMES[platform]) || "The account";
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const channel = new BroadcastChannel(CONNECTED_CHANNEL);
    channel.postMessage({ platform });
    channel.close();
  }, [platform]);
  return (
    <main className="sign-in" id="main">
      <h1>{name} is connected</h1>
      <p role="status" className="ok">
        Herald can now post to {name}. You can close this tab and go back to the dashboard.
      </p>
      <p>
        <Link to="/accounts">Open Connected accounts</Link>
      </p>
    </main>
  );
}
