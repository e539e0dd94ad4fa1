import { useEffect, useRef, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { Button } from "@/components/ui/Button";
import { ErrorMessage } from "@/components/ui/ErrorMessage";
import { newIdempotencyKey, publishPost, usePost, isFinal } from "@/api/posts";
import type { Override, Platform, PostAccepted, TargetView } from "@/api/types";
import { PLATFORM_NAMES } from "@/api/types";
import { statusLabel } from "@/components/ui/StatusBadge";

export type PublishNowButtonProps = {
  content: string;
  platforms: string[];
  businessId: number;
  /** Called once every platform has a final result (published, failed…), with those results. */
  onSuccess?: (results: TargetView[]) => void;
  onAccepted?: (accepted: PostAccepted) => void;
  onError?: (error: unknown) => void;
  variant?: "primary" | "secondary";
  size?: "sm" | "md" | "lg";
  mediaUrls?: string[];
  overrides?: Partial<Record<Platform, Override>>;
  disabled?: boolean;
  children?: React.ReactNode;
};

export function PublishNowButton({
  content,
  platforms,
  businessId,
  onSuccess,
  onAccepted,
  onError,
  variant = "primary",
  size = "md",
  mediaUrls,
  overrides,
  disabled,
  children = "Publish now",
}: PublishNowButtonProps) {
  const [postId, setPostId] = useState<string | null>(null);
  const reported = useRef<string | null>(null);
  const publish = useMutation({
    mutationFn: () =>
      publishPost(
        {
          content,
          platforms: platforms as Platform[],
          business_id: businessId,
          ...(mediaUrls?.length ? { media_urls: mediaUrls } : {}),
          ...(overrides && Object.keys(overrides).length ? { overrides } : {}),
        },
        newIdempotencyKey(),
      ),
    onSuccess: (accepted) => {
      setPostId(accepted.id);
      onAccepted?.(accepted);
    },
    onError,
  });
  const post = usePost(postId);
  const final = post.data && isFinal(post.data);

  useEffect(() => {
    if (post.data && final && reported.current !== post.data.id) {
      reported.current = post.data.id;
      onSuccess?.(post.data.platforms);
    }
  }, [post.data, final, onSuccess]);

  const working = publish.isPending || (!!postId && !final);
  return (
    <span className="publish-now">
      <Button
        variant={variant}
        size={size}
        busy={working}
        disabled={disabled || platforms.length === 0}
        onClick={() => {
          setPostId(null);
          publish.mutate();
        }}
      >
        {working ? "Publishing…" : children}
      </Button>
      <span role="status" className="publish-now-status">
        {postId && post.data
          ? post.data.platforms
              .map((t) => `${PLATFORM_NAMES[t.platform]}: ${statusLabel(t.status).toLowerCase()}`)
              .join(" · ")
          : ""}
      </span>
      <ErrorMessage error={publish.error} prefix="Not published" />
    </span>
  );
}

export default PublishNowButton;
