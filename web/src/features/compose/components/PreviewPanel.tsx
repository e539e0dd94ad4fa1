import { PLATFORM_NAMES } from "@/api/types";
import type { PlatformPreview } from "../api/preview";

export function PreviewPanel({ platforms }: { platforms: PlatformPreview[] }) {
  return (
    <div className="preview">
      {platforms.map((p) => (
        <section key={p.platform} className={`preview-platform ${p.valid ? "valid" : "invalid"}`} aria-label={`${PLATFORM_NAMES[p.platform]} preview`}>
          <h3>
            {PLATFORM_NAMES[p.platform]}{" "}
            <span className="muted">
              {p.parts.length} part{p.parts.length === 1 ? "" : "s"} · {p.valid ? "ready" : "cannot be posted"}
            </span>
          </h3>
          {p.violations.length > 0 && (
            <ul className="violations" aria-label={`${PLATFORM_NAMES[p.platform]} problems`}>
              {p.violations.map((v, i) => (
                <li key={i} className="error">
                  {v.message}
                </li>
              ))}
            </ul>
          )}
          <ol className="preview-parts">
            {p.parts.map((part) => (
              <li key={part.index} className={part.length > part.limit ? "over" : ""}>
                <div className="part-head">
                  <span>
                    Part {part.index + 1} of {p.parts.length}
                  </span>
                  <span className={part.length > part.limit ? "error" : "muted"}>
                    {part.length.toLocaleString()} / {part.limit.toLocaleString()}
                  </span>
                </div>
                <p className="part-text">{part.text}</p>
                {part.media_urls.length > 0 && <p className="muted small">Media: {part.media_urls.join(", ")}</p>}
              </li>
            ))}
          </ol>
        </section>
      ))}
    </div>
  );
}
