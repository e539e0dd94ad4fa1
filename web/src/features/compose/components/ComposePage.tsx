import { useId, useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { PublishNowButton } from "@/components/publishing/PublishNowButton";
import { SchedulePostModal } from "@/components/publishing/SchedulePostModal";
import { PostDetails } from "@/components/publishing/PostDetails";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { Spinner } from "@/components/ui/Spinner";
import { PLATFORMS, PLATFORM_NAMES, type Override, type Platform, type PublishBody } from "@/api/types";
import { browserZone } from "@/lib/zoned-time";
import { usePreview } from "../api/preview";
import { PreviewPanel } from "./PreviewPanel";

export function ComposePage({ businessId }: { businessId: number }) {
  const [content, setContent] = useState("");
  const [platforms, setPlatforms] = useState<Platform[]>(["linkedin", "twitter"]);
  const [overrides, setOverrides] = useState<Partial<Record<Platform, string>>>({});
  const [media, setMedia] = useState("");
  const [scheduling, setScheduling] = useState(false);
  const [lastPost, setLastPost] = useState<{ id: string; scheduled: boolean } | null>(null);
  const ids = { text: useId(), media: useId() };

  const mediaUrls = useMemo(() => media.split(/\s+/).map((s) => s.trim()).filter(Boolean), [media]);
  const overrideBodies = useMemo(() => {
    const out: Partial<Record<Platform, Override>> = {};
    for (const p of platforms) if (overrides[p] != null) out[p] = { content: overrides[p] };
    return out;
  }, [overrides, platforms]);
  const body: PublishBody = { content, platforms, business_id: businessId, media_urls: mediaUrls, overrides: overrideBodies };
  const empty = !content.trim() && !Object.values(overrideBodies).some((o) => o?.content?.trim());
  const preview = usePreview(body, { enabled: !empty });
  const invalid = preview.data?.platforms.some((p) => !p.valid) ?? false;

  function toggle(p: Platform) {
    setPlatforms((current) => (current.includes(p) ? current.filter((x) => x !== p) : [...current, p]));
  }

  return (
    <div className="compose">
      <section className="compose-form stack" aria-labelledby="compose-title">
        <h1 id="compose-title">Compose</h1>
        <label htmlFor={ids.text}>Post text</label>
        <textarea id={ids.text} rows={8} value={content} onChange={(e) => setContent(e.target.value)} placeholder="What do you want to say?" />
        <fieldset>
          <legend>Platforms</legend>
          <div className="row wrap">
            {PLATFORMS.map((p) => (
              <label key={p} className="toggle">
                <input type="checkbox" checked={platforms.includes(p)} onChange={() => toggle(p)} />
                {PLATFORM_NAMES[p]}
              </label>
            ))}
          </div>
        </fieldset>
        {platforms.map((p) => (
          <details key={p} open={overrides[p] != null}>
            <summary>Different text for {PLATFORM_NAMES[p]}</summary>
            <label className="stack">
              <span>
                {PLATFORM_NAMES[p]} text <span className="muted">(replaces the text above on {PLATFORM_NAMES[p]})</span>
              </span>
              <textarea
                rows={4}
                value={overrides[p] ?? ""}
                onChange={(e) => setOverrides((o) => ({ ...o, [p]: e.target.value }))}
              />
            </label>
            {overrides[p] != null && (
              <Button size="sm" variant="ghost" onClick={() => setOverrides((o) => ({ ...o, [p]: undefined }))}>
                Use the common text
              </Button>
            )}
          </details>
        ))}
        <label htmlFor={ids.media}>
          Media URLs <span className="muted">(one per line; public https images or videos)</span>
        </label>
        <textarea id={ids.media} rows={2} value={media} onChange={(e) => setMedia(e.target.value)} />
        <div className="row wrap actions">
          <PublishNowButton
            content={content}
            platforms={platforms}
            businessId={businessId}
            mediaUrls={mediaUrls}
            overrides={overrideBodies}
            disabled={invalid || empty}
            onAccepted={(a) => setLastPost({ id: a.id, scheduled: false })}
          />
          <Button onClick={() => setScheduling(true)} disabled={invalid || empty || platforms.length === 0}>
            Schedule…
          </Button>
        </div>
        {platforms.length === 0 && <p className="notice">Choose at least one platform.</p>}
        {lastPost && (
          <section aria-label="Last post" className="card">
            <h2>{lastPost.scheduled ? "Scheduled" : "Your post"}</h2>
            {lastPost.scheduled && (
              <p>
                See it in the <Link to="/dashboard/scheduled">calendar</Link>.
              </p>
            )}
            <PostDetails postId={lastPost.id} timeZone={browserZone()} />
          </section>
        )}
      </section>
      <section className="compose-preview" aria-labelledby="preview-title">
        <h2 id="preview-title">
          Preview {!empty && preview.pending && <Spinner label="Updating…" />}
        </h2>
        {platforms.length === 0 && <p className="muted">Pick a platform to see what it would receive.</p>}
        {platforms.length > 0 && empty && <p className="muted">Start typing: each platform’s parts, counts and problems appear here.</p>}
        <ErrorMessage error={preview.error} prefix="Preview unavailable" />
        {preview.data && platforms.length > 0 && !empty && <PreviewPanel platforms={preview.data.platforms} />}
      </section>
      <SchedulePostModal
        isOpen={scheduling}
        onClose={() => setScheduling(false)}
        content={content}
        platforms={platforms}
        businessId={businessId}
        mediaUrls={mediaUrls}
        overrides={overrideBodies}
        onScheduled={(id) => setLastPost({ id, scheduled: true })}
      />
    </div>
  );
}
