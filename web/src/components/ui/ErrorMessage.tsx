import { ApiError } from "@/lib/api-client";

/** What went wrong, in the server's words (the problem's `detail`). */
export function ErrorMessage({ error, prefix }: { error: unknown; prefix?: string }) {
  if (!error) return null;
  const text = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {prefix ? `${prefix}: ` : ""}
      {text}
    </p>
  );
}
