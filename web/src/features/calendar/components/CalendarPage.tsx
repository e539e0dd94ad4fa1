import { ScheduledPostsCalendar } from "@/components/publishing/ScheduledPostsCalendar";

export function CalendarPage({ businessId }: { businessId: number }) {
  return <ScheduledPostsCalendar businessId={businessId} />;
}
