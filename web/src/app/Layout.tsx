import { NavLink, Outlet } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { setSession, type Session } from "@/lib/session";
import { useLiveStatus } from "@/hooks/use-live-status";

const LINKS = [
  { to: "/", label: "Compose", end: true },
  { to: "/dashboard/scheduled", label: "Calendar" },
  { to: "/posts", label: "Recent posts" },
  { to: "/accounts", label: "Accounts" },
  { to: "/api-keys", label: "API keys" },
];

export function Layout({ session }: { session: Session }) {
  const live = useLiveStatus();
  const client = useQueryClient();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Herald</span>
        <nav aria-label="Main">
          <ul>
            {LINKS.map((l) => (
              <li key={l.to}>
                <NavLink to={l.to} end={l.end}>
                  {l.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`live ${live.connected ? "on" : "off"}`} role="status" aria-label={live.connected ? "Live updates on" : "Live updates reconnecting"}>
          {live.connected ? "● Live" : "○ Reconnecting"}
        </span>
        <span className="user">
          Business {session.businessId}
          <button
            type="button"
            className="btn btn-ghost btn-sm"
            onClick={() => {
              setSession(null);
              client.clear();
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
