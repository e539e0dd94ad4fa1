import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ScheduledPostsCalendar } from "./ScheduledPostsCalendar";
import { fakeServer } from "@/testing/fake-server";
import { post, renderWithApp, signedIn } from "@/testing/render";

const failedTwitter = {
  platform: "twitter", status: "failed", attempts: 3, platform_post_id: null, url: null, parts: [],
  reason: "X refused the token", error_code: "auth_expired", reauth_required: true, next_attempt_at: null,
};
const publishedThread = {
  platform: "linkedin", status: "published", attempts: 1, platform_post_id: "urn:1", url: "https://www.linkedin.com/feed/update/urn:1",
  parts: [
    { index: 0, platform_post_id: "urn:1", url: "https://www.linkedin.com/feed/update/urn:1" },
    { index: 1, platform_post_id: "urn:2", url: "https://www.linkedin.com/feed/update/urn:2" },
  ],
  reason: null, error_code: null, reauth_required: false, next_attempt_at: null,
};

function calendar(posts: object[], extra: Record<string, Parameters<typeof fakeServer>[0][string]> = {}) {
  signedIn(1);
  const byId = Object.fromEntries(posts.map((p) => [(p as { id: string }).id, p]));
  return fakeServer({
    "GET /api/v2/scheduled": () => ({ body: { items: posts, next_cursor: null } }),
    "GET /api/v2/posts/*": ({ url }) => ({ body: byId[url.pathname.split("/").pop()!] }),
    ...extra,
  });
}

test("the seed page shows the month's posts at their local time, coloured by status", async () => {
  const server = calendar([
    post({ id: "a", content: "Launch day", scheduled_for: "2030-03-14T08:00:00Z" }),
    post({ id: "b", content: "Recap", status: "failed", scheduled_for: "2030-03-20T23:30:00Z" }),
  ]);
  renderWithApp(<ScheduledPostsCalendar businessId={1} timeZone="Europe/Paris" initialDate="2030-03-01" />);

  expect(await screen.findByRole("heading", { name: "March 2030" })).toBeInTheDocument();
  await screen.findByText("2 scheduled posts in this month.");
  const grid = screen.getByRole("grid", { name: "March 2030" }); // role queries inside it skip the zone list
  const launch = within(grid).getByRole("button", { name: /09:00 Launch day, Scheduled/ });
  expect(launch).toHaveClass("status-scheduled");
  // 23:30 UTC on the 20th is 00:30 on the 21st in Paris: the post sits on the 21st.
  const cell = within(grid).getByRole("gridcell", { name: /^2030-03-21, 1 post / });
  expect(within(cell).getByRole("button", { name: /00:30 Recap, Failed/ })).toHaveClass("status-failed");
  const asked = new URL("http://x" + server.fetchMock.mock.calls[0][0]);
  expect(asked.searchParams.get("from")).toBe("2030-02-24T23:00:00.000Z"); // Monday 25 Feb, midnight in Paris (UTC+1)
  expect(asked.searchParams.get("to")).toBe("2030-03-31T22:00:00.000Z"); // Monday 1 Apr, midnight in Paris: summer time (UTC+2) since 31 Mar
});

test("a post's details show each platform's status, links to every part and failure reasons", async () => {
  calendar([post({ id: "a", content: "Thread", status: "partially_published", platforms: [publishedThread, failedTwitter] })]);
  renderWithApp(<ScheduledPostsCalendar businessId={1} timeZone="UTC" initialDate="2030-03-01" />);
  await userEvent.click(await screen.findByRole("button", { name: /Thread/ }));
  const dialog = await screen.findByRole("dialog", { name: "Scheduled post" });
  expect(await within(dialog).findByRole("link", { name: "View on LinkedIn" })).toHaveAttribute("href", publishedThread.url);
  const parts = within(dialog).getByRole("list", { name: "LinkedIn thread parts" });
  expect(within(parts).getAllByRole("link").map((a) => a.getAttribute("href"))).toEqual(publishedThread.parts.map((p) => p.url));
  expect(within(dialog).getByText("Failed: X refused the token (auth_expired)")).toBeInTheDocument();
  expect(within(dialog).getByRole("link", { name: "reconnect the account" })).toBeInTheDocument();
});

test.each([
  [200, { id: "a", status: "cancelled", detail: "the post will not be published" }, "Cancelled: the post will not be published."],
  [202, { id: "a", status: "cancel_requested", detail: "not yet" }, "Cancel requested. The scheduler has not answered yet"],
  [409, { title: "Conflict", detail: "the post is already publishing or published; it can no longer be cancelled" }, "Too late to cancel: the post is already publishing or published; it can no longer be cancelled"],
])("cancelling explains the %s answer", async (status, body, expected) => {
  const server = calendar([post({ id: "a", content: "Later" })], { "DELETE /api/v2/schedule/a": () => ({ status, body }) });
  renderWithApp(<ScheduledPostsCalendar businessId={1} timeZone="UTC" initialDate="2030-03-01" />);
  await userEvent.click(await screen.findByRole("button", { name: /Later/ }));
  await userEvent.click(await screen.findByRole("button", { name: "Cancel post…" }));
  await userEvent.click(screen.getByRole("button", { name: "Yes, cancel it" }));
  await waitFor(() => expect(screen.getByText(new RegExp(expected.replace(/[.?()]/g, "\\$&")))).toBeInTheDocument());
  expect(server.requests.some((r) => r.method === "DELETE" && r.path === "/api/v2/schedule/a")).toBe(true);
});

test("a busy day shows three posts and how many more; the week view lists them all", async () => {
  const many = Array.from({ length: 7 }, (_, i) => post({ id: `m${i}`, content: `Post ${i}`, scheduled_for: `2030-03-14T0${i}:00:00Z` }));
  calendar(many);
  renderWithApp(<ScheduledPostsCalendar businessId={1} timeZone="UTC" initialDate="2030-03-14" />);
  const cell = await screen.findByRole("gridcell", { name: /^2030-03-14, 7 posts / });
  expect(within(cell).getAllByRole("button", { name: /Post \d/ })).toHaveLength(3);
  await userEvent.click(within(cell).getByRole("button", { name: "+4 more" }));
  expect(within(screen.getByRole("dialog", { name: "Posts on 2030-03-14" })).getAllByRole("button", { name: /Post \d/ })).toHaveLength(7);
  await userEvent.click(screen.getByRole("button", { name: "Close" }));
  await userEvent.click(screen.getByRole("button", { name: "Week" }));
  const weekCell = await screen.findByRole("gridcell", { name: /^2030-03-14, 7 posts / });
  expect(within(weekCell).getAllByRole("button", { name: /Post \d/ })).toHaveLength(7);
});

test("an empty month says what to do", async () => {
  calendar([]);
  renderWithApp(<ScheduledPostsCalendar businessId={1} timeZone="UTC" initialDate="2030-03-01" />);
  expect(await screen.findByText(/Nothing scheduled in this month/)).toBeInTheDocument();
  expect(screen.getByRole("link", { name: "Compose" })).toBeInTheDocument();
});
