import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { sessionFromToken, setSession } from "@/lib/session";
import { startSignIn } from "@/lib/pkce";
import { demoSignIn, useSignInConfig, type SignInConfig } from "../api/sign-in";

export function SignInPage() {
  const config = useSignInConfig();
  return (
    <main className="sign-in" id="main">
      <h1>Herald</h1>
      <p className="muted">Publish and schedule posts to LinkedIn, X, Facebook Pages and Instagram.</p>
      {config.isPending && <Spinner label="Loading sign-in options…" />}
      <ErrorMessage error={config.error} prefix="Sign-in is unavailable" />
      {config.data?.mode === "demo" && <DemoSignIn businesses={config.data.demo_businesses} />}
      {config.data?.mode === "oidc" && <OidcSignIn config={config.data} />}
      {config.data?.mode === "none" && (
        <p className="error" role="alert">
          No sign-in is configured on this server: set HERALD_AUTH_OIDC_CLIENT_ID (see docs/security.md).
        </p>
      )}
    </main>
  );
}

function DemoSignIn({ businesses }: { businesses: number[] }) {
  const signIn = useMutation({
    mutationFn: demoSignIn,
    onSuccess: (t) => setSession(sessionFromToken(t.access_token, t.expires_in)),
  });
  return (
    <div className="stack">
      <p>Development stack: sign in as a demo user.</p>
      <div className="row wrap">
        {businesses.map((b) => (
          <Button key={b} variant="primary" busy={signIn.isPending && signIn.variables === b} onClick={() => signIn.mutate(b)}>
            Sign in to demo business {b}
          </Button>
        ))}
      </div>
      <ErrorMessage error={signIn.error} prefix="Not signed in" />
    </div>
  );
}

function OidcSignIn({ config }: { config: SignInConfig }) {
  const go = useMutation({
    mutationFn: () => startSignIn({ issuer: config.issuer!, client_id: config.client_id!, scope: config.scope ?? "openid", audience: config.audience }),
  });
  return (
    <div className="stack">
      <Button variant="primary" busy={go.isPending} onClick={() => go.mutate()}>
        Sign in
      </Button>
      <ErrorMessage error={go.error} prefix="Sign-in failed" />
    </div>
  );
}
