import { useId, useState } from "react";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { EmptyState } from "@/components/ui/EmptyState";
import { browserZone, formatInstant } from "@/lib/zoned-time";
import { useApiKeys, useCreateKey, useRevokeKey, type ApiKey } from "../api/api-keys";

export function ApiKeysPage({ businessId }: { businessId: number }) {
  const keys = useApiKeys(businessId);
  const create = useCreateKey(businessId);
  const [name, setName] = useState("");
  const nameId = useId();
  return (
    <section className="stack" aria-labelledby="keys-title">
      <h1 id="keys-title">API keys</h1>
      <p className="muted">Keys let scripts and services publish for this business. Send one as <code>X-API-Key</code>.</p>
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate(name.trim(), { onSuccess: () => setName("") });
        }}
      >
        <label htmlFor={nameId}>Key name</label>
        <input id={nameId} value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI release notes" required maxLength={100} />
        <Button type="submit" variant="primary" busy={create.isPending} disabled={!name.trim()}>
          Create key
        </Button>
      </form>
      <ErrorMessage error={create.error} prefix="Key not created" />
      {create.data && (
        <div className="card notice" role="status">
          <p>
            <strong>Copy the key “{create.data.name}” now: it is shown only once.</strong>
          </p>
          <code className="secret" aria-label="New API key">
            {create.data.key}
          </code>
        </div>
      )}
      {keys.isPending && <Spinner label="Loading keys…" />}
      <ErrorMessage error={keys.error} prefix="Could not load keys" />
      {keys.data?.length === 0 && (
        <EmptyState title="No API keys">
          <p>Name a key above and create it; you will see the secret once.</p>
        </EmptyState>
      )}
      <ul className="post-list">
        {keys.data?.map((k) => <KeyRow key={k.id} apiKey={k} />)}
      </ul>
    </section>
  );
}

function KeyRow({ apiKey: k }: { apiKey: ApiKey }) {
  const revoke = useRevokeKey();
  const zone = browserZone();
  return (
    <li className="card row wrap">
      <strong className="grow">{k.name}</strong>
      <span className="muted">created {formatInstant(k.created_at, zone, false)}</span>
      <span className="muted">{k.last_used_at ? `last used ${formatInstant(k.last_used_at, zone, false)}` : "never used"}</span>
      <Button size="sm" variant="danger" busy={revoke.isPending} onClick={() => revoke.mutate(k.id)} aria-label={`Revoke ${k.name}`}>
        Revoke
      </Button>
      <ErrorMessage error={revoke.error} prefix="Not revoked" />
    </li>
  );
}
