import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { PublishNowButton } from "./PublishNowButton";
import { fakeServer } from "@/testing/fake-server";
import { post, renderWithApp, signedIn } from "@/testing/render";

const accepted = { id: "p1", status: "publishing", business_id: 1, scheduled_for: null, platforms: ["linkedin", "twitter"], links: { self: "/api/v2/posts/p1" } };
const target = (platform: string, url: string) => ({
  platform, status: "published", attempts: 1, platform_post_id: `${platform}-1`, url, parts: [{ index: 0, platform_post_id: `${platform}-1`, url }],
  reason: null, error_code: null, reauth_required: false, next_attempt_at: null,
});

test("with the seed props it publishes, then hands onSuccess every platform's result", async () => {
  signedIn(1);
  const published = post({
    status: "published",
    scheduled_for: null,
    platforms: [target("linkedin", "https://www.linkedin.com/feed/update/1"), target("twitter", "https://x.com/i/status/1")],
  });
  const server = fakeServer({
    "POST /api/v2/publish": () => ({ status: 202, body: accepted }),
    "GET /api/v2/posts/p1": () => ({ body: published }),
  });
  const onSuccess = vi.fn();
  renderWithApp(
    <PublishNowButton
      content="Post content"
      platforms={["linkedin", "twitter"]}
      businessId={1}
      onSuccess={(results) => onSuccess(results)}
      variant="primary"
      size="md"
    />,
  );
  await userEvent.click(screen.getByRole("button", { name: "Publish now" }));

  await waitFor(() => expect(onSuccess).toHaveBeenCalledTimes(1));
  const results = onSuccess.mock.calls[0][0];
  expect(results.map((r: { platform: string; status: string }) => [r.platform, r.status])).toEqual([
    ["linkedin", "published"],
    ["twitter", "published"],
  ]);
  expect(await screen.findByText("LinkedIn: published · X: published")).toBeInTheDocument();
  const sent = server.requests.find((r) => r.method === "POST")!;
  expect(sent.body).toEqual({ content: "Post content", platforms: ["linkedin", "twitter"], business_id: 1 });
  expect(sent.headers.get("Authorization")).toBe("Bearer test-token");
  expect(sent.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
});

test("a refusal is shown in the server's words and onSuccess is not called", async () => {
  signedIn(1);
  fakeServer({
    "POST /api/v2/publish": () => ({
      status: 422,
      body: { title: "The request is not valid", detail: "twitter: the text is 312 characters; the limit is 280" },
    }),
  });
  const onSuccess = vi.fn();
  renderWithApp(<PublishNowButton content="x" platforms={["twitter"]} businessId={1} onSuccess={onSuccess} />);
  await userEvent.click(screen.getByRole("button", { name: "Publish now" }));
  expect(await screen.findByRole("alert")).toHaveTextContent(
    "Not published: twitter: the text is 312 characters; the limit is 280",
  );
  expect(onSuccess).not.toHaveBeenCalled();
});

test("it cannot be pressed without a platform", () => {
  signedIn(1);
  fakeServer({});
  renderWithApp(<PublishNowButton content="x" platforms={[]} businessId={1} />);
  expect(screen.getByRole("button", { name: "Publish now" })).toBeDisabled();
});
