// The API's bodies as the dashboard reads them (see docs/api.md).
export type Platform = "linkedin" | "twitter" | "facebook" | "instagram";
export const PLATFORMS: Platform[] = ["linkedin", "twitter", "facebook", "instagram"];
export const PLATFORM_NAMES: Record<Platform, string> = {
  linkedin: "LinkedIn",
  twitter: "X",
  facebook: "Facebook",
  instagram: "Instagram",
};

export type PostStatus =
  | "scheduled"
  | "publishing"
  | "published"
  | "partially_published"
  | "failed"
  | "cancelled"
  | "missed";
export type TargetStatus = "scheduled" | "publishing" | "published" | "failed" | "cancelled" | "missed";
export const FINAL_POST_STATUSES: PostStatus[] = ["published", "partially_published", "failed", "cancelled", "missed"];
export type LatePolicy = "publish" | "skip";

export type PublishedPart = { index: number; platform_post_id: string; url: string | null };
export type TargetView = {
  platform: Platform;
  status: TargetStatus;
  attempts: number;
  platform_post_id: string | null;
  url: string | null;
  parts: PublishedPart[];
  reason: string | null;
  error_code: string | null;
  reauth_required: boolean;
  next_attempt_at: string | null;
};
export type PostView = {
  id: string;
  business_id: number;
  status: PostStatus;
  content: string;
  scheduled_for: string | null;
  timezone: string | null;
  late_policy: LatePolicy;
  created_at: string;
  updated_at: string;
  platforms: TargetView[];
  links: { self: string };
};
export type PostPage = { items: PostView[]; next_cursor: string | null };
export type PostAccepted = {
  id: string;
  status: PostStatus;
  business_id: number;
  scheduled_for: string | null;
  platforms: Platform[];
  links: { self: string };
};
export type Override = { content?: string; media_urls?: string[] };
export type PublishBody = {
  content: string;
  platforms: Platform[];
  business_id: number;
  media_urls?: string[];
  overrides?: Partial<Record<Platform, Override>>;
};
export type ScheduleBody = PublishBody & {
  scheduled_for: string;
  timezone?: string;
  late_policy?: LatePolicy;
};
export type CancelOutcome = { id: string; status: string; detail: string };
export type StatusChange = {
  id: number;
  post_id: string;
  business_id: number;
  status: PostStatus;
  platform: Platform | null;
  platform_status: TargetStatus | null;
  type: string;
  at: string;
};
