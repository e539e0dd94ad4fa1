// OpenID Connect authorization code flow with PKCE (RFC 7636) for a public browser client.
// The verifier and state survive the redirect in sessionStorage (this tab only); tokens never do.
export type OidcConfig = { issuer: string; client_id: string; scope: string; audience?: string | null };
type Discovery = { authorization_endpoint: string; token_endpoint: string };

const PENDING = "herald.oidc.pending";

export function base64Url(bytes: Uint8Array): string {
  let s = "";
  bytes.forEach((b) => (s += String.fromCharCode(b)));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function randomVerifier(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function challengeFor(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider's configuration is unavailable (${response.status})`);
  return (await response.json()) as Discovery;
}

export function redirectUri(): string {
  return `${window.location.origin}/app/auth/callback`;
}

/** Sends the browser to the provider's sign-in page. */
export async function startSignIn(config: OidcConfig): Promise<void> {
  const discovery = await discover(config.issuer);
  const verifier = randomVerifier();
  const state = randomVerifier();
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, token_endpoint: discovery.token_endpoint }));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: await challengeFor(verifier),
    code_challenge_method: "S256",
  });
  if (config.audience) params.set("audience", config.audience);
  window.location.assign(`${discovery.authorization_endpoint}?${params}`);
}

/** Back from the provider: checks state, exchanges the code, returns the access token. */
export async function finishSignIn(config: OidcConfig, search: string): Promise<{ token: string; expiresIn: number }> {
  const params = new URLSearchParams(search);
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as
    | { verifier: string; state: string; token_endpoint: string }
    | null;
  sessionStorage.removeItem(PENDING);
  if (params.get("error")) throw new Error(params.get("error_description") ?? params.get("error")!);
  if (!pending || params.get("state") !== pending.state) throw new Error("this sign-in was not started here; try again");
  const response = await fetch(pending.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: params.get("code") ?? "",
      redirect_uri: redirectUri(),
      client_id: config.client_id,
      code_verifier: pending.verifier,
    }),
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number; error_description?: string };
  if (!response.ok || !body.access_token) throw new Error(body.error_description ?? "the sign-in was refused");
  return { token: body.access_token, expiresIn: body.expires_in ?? 3600 };
}
