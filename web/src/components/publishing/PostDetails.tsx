import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { cancelPost, isFinal, postKeys, usePost } from "@/api/posts";
import { PLATFORM_NAMES, type PostView, type TargetView } from "@/api/types";
import { ApiError } from "@/lib/api-client";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { StatusBadge } from "@/components/ui/StatusBadge";
import { formatInstant } from "@/lib/zoned-time";

/** One post: what it said, when, and what each platform did with it (links, failures, cancel). */
export function PostDetails({ postId, timeZone }: { postId: string; timeZone: string }) {
  const post = usePost(postId);
  if (post.isPending) return <Spinner label="Loading the post…" />;
  if (post.error) return <ErrorMessage error={post.error} />;
  return <PostBody post={post.data} timeZone={timeZone} />;
}

function PostBody({ post, timeZone }: { post: PostView; timeZone: string }) {
  return (
    <article className="post-details" aria-label="Post details">
      <div className="row wrap">
        <StatusBadge status={post.status} />
        {post.scheduled_for && (
          <span>
            Due {formatInstant(post.scheduled_for, timeZone)}
            {post.timezone && post.timezone !== timeZone && <> · {formatInstant(post.scheduled_for, post.timezone)}</>} ·{" "}
            {formatInstant(post.scheduled_for, "UTC")}
          </span>
        )}
        {!post.scheduled_for && <span>Published on request, {formatInstant(post.created_at, timeZone)}</span>}
      </div>
      <blockquote className="post-content">{post.content || <em>(per-platform texts)</em>}</blockquote>
      <ul className="targets">
        {post.platforms.map((t) => (
          <TargetRow key={t.platform} target={t} />
        ))}
      </ul>
      <CancelPost post={post} />
      <p className="muted small">Post id: {post.id}</p>
    </article>
  );
}

function TargetRow({ target: t }: { target: TargetView }) {
  const name = PLATFORM_NAMES[t.platform];
  return (
    <li className="target">
      <div className="row wrap">
        <strong>{name}</strong>
        <StatusBadge status={t.status} />
        {t.attempts > 1 && <span className="muted">{t.attempts} attempts</span>}
        {t.url && (
          <a href={t.url} target="_blank" rel="noreferrer">
            View on {name}
          </a>
        )}
      </div>
      {t.parts.length > 1 && (
        <ol className="parts" aria-label={`${name} thread parts`}>
          {t.parts.map((p) => (
            <li key={p.index}>
              {p.url ? (
                <a href={p.url} target="_blank" rel="noreferrer">
                  Part {p.index + 1} of {t.parts.length}
                </a>
              ) : (
                `Part ${p.index + 1}: ${p.platform_post_id}`
              )}
            </li>
          ))}
        </ol>
      )}
      {t.reason && t.status !== "published" && (
        <p className={t.status === "failed" ? "error" : "muted"}>
          {t.status === "failed" ? "Failed: " : ""}
          {t.reason}
          {t.error_code ? ` (${t.error_code})` : ""}
        </p>
      )}
      {t.next_attempt_at && t.status === "publishing" && (
        <p className="muted">Next attempt {formatInstant(t.next_attempt_at, Intl.DateTimeFormat().resolvedOptions().timeZone)}</p>
      )}
      {t.reauth_required && (
        <p className="error">
          {name} needs you to sign in again: <a href="/app/accounts">reconnect the account</a>.
        </p>
      )}
    </li>
  );
}

const CANCEL_OUTCOMES: Record<number, string> = {
  200: "Cancelled: the post will not be published.",
  202: "Cancel requested. The scheduler has not answered yet; the cancel still applies if it arrives before the post is due. This page updates when it does.",
};

function CancelPost({ post }: { post: PostView }) {
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const cancel = useMutation({
    mutationFn: () => cancelPost(post.id),
    onSettled: () => client.invalidateQueries({ queryKey: postKeys.all }),
  });
  const conflict = cancel.error instanceof ApiError && cancel.error.status === 409;
  // Once final, only the outcome of a cancel made here stays on screen.
  if (isFinal(post) && cancel.isIdle) return null;
  return (
    <div className="cancel">
      {!confirming && !cancel.data && !isFinal(post) && (
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Cancel post…
        </Button>
      )}
      {confirming && !cancel.data && !cancel.error && (
        <div className="row wrap" role="group" aria-label="Confirm cancel">
          <span>Cancel this post on every platform?</span>
          <Button variant="danger" busy={cancel.isPending} onClick={() => cancel.mutate()}>
            Yes, cancel it
          </Button>
          <Button onClick={() => setConfirming(false)}>Keep it</Button>
        </div>
      )}
      {cancel.data && (
        <p role="status" className={cancel.data.status === 200 ? "ok" : "notice"}>
          {CANCEL_OUTCOMES[cancel.data.status] ?? cancel.data.outcome.detail}
        </p>
      )}
      {cancel.error != null && (
        <ErrorMessage error={cancel.error} prefix={conflict ? "Too late to cancel" : "Not cancelled"} />
      )}
    </div>
  );
}
