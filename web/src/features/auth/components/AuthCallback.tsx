import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router-dom";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { finishSignIn } from "@/lib/pkce";
import { sessionFromToken, setSession } from "@/lib/session";
import { useSignInConfig } from "../api/sign-in";

/** Where the identity provider sends the browser back: exchange the code, keep the token in memory. */
export function AuthCallback() {
  const config = useSignInConfig();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    const c = config.data;
    if (!c || c.mode !== "oidc" || started.current) return;
    started.current = true;
    finishSignIn({ issuer: c.issuer!, client_id: c.client_id!, scope: c.scope ?? "openid" }, window.location.search)
      .then(({ token, expiresIn }) => {
        setSession(sessionFromToken(token, expiresIn));
        navigate("/", { replace: true });
      })
      .catch(setError);
  }, [config.data, navigate]);
  return (
    <main className="sign-in" id="main">
      {error ? <ErrorMessage error={error} prefix="Sign-in failed" /> : <Spinner label="Signing you in…" />}
    </main>
  );
}
