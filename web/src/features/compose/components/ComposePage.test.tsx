import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ComposePage } from "./ComposePage";
import { fakeServer } from "@/testing/fake-server";
import { renderWithApp, signedIn } from "@/testing/render";

// The server's answer is shown as is: the page never counts characters itself.
const preview = {
  platforms: [
    { platform: "linkedin", valid: true, parts: [{ index: 0, text: "long text", length: 9, limit: 3000, media_urls: [] }], violations: [] },
    {
      platform: "twitter",
      valid: false,
      parts: [
        { index: 0, text: "first part", length: 271, limit: 280, media_urls: [] },
        { index: 1, text: "second part", length: 290, limit: 280, media_urls: [] },
      ],
      violations: [{ code: "part_too_long", message: "part 2 is 290 weighted characters; X allows 280", details: {} }],
    },
  ],
};

test("the preview shows each platform's numbered parts, counts against limits and every problem in words", async () => {
  signedIn(1);
  const server = fakeServer({ "POST /api/v2/preview": () => ({ body: preview }) });
  renderWithApp(<ComposePage businessId={1} />);
  fireEvent.change(screen.getByLabelText("Post text"), { target: { value: "long text" } });

  const x = await screen.findByRole("region", { name: "X preview" });
  expect(within(x).getByText("Part 1 of 2")).toBeInTheDocument();
  expect(within(x).getByText("Part 2 of 2")).toBeInTheDocument();
  expect(within(x).getByText("290 / 280")).toHaveClass("error");
  expect(within(x).getByText("part 2 is 290 weighted characters; X allows 280")).toBeInTheDocument();
  expect(within(screen.getByRole("region", { name: "LinkedIn preview" })).getByText("9 / 3,000")).toBeInTheDocument();
  // A platform that cannot take the text blocks publishing.
  expect(screen.getByRole("button", { name: "Publish now" })).toBeDisabled();
  const asked = server.requests.filter((r) => r.path === "/api/v2/preview");
  expect(asked.map((r) => r.body)).toEqual([
    expect.objectContaining({ content: "long text", platforms: ["linkedin", "twitter"], business_id: 1 }),
  ]);
});

test("typing asks for one preview once the typing pauses, with per-platform overrides", async () => {
  signedIn(1);
  const server = fakeServer({ "POST /api/v2/preview": () => ({ body: { platforms: [] } }) });
  renderWithApp(<ComposePage businessId={1} />);
  await userEvent.type(screen.getByLabelText("Post text"), "Hello");
  await userEvent.click(screen.getByText("Different text for X"));
  await userEvent.type(screen.getByLabelText(/^X text/), "Hi X");
  await waitFor(() => expect(server.requests.at(-1)?.body).toMatchObject({ overrides: { twitter: { content: "Hi X" } } }));
  // Far fewer requests than keystrokes: the preview waits for a pause.
  expect(server.requests.length).toBeLessThanOrEqual(3);
  expect(server.requests.at(-1)?.body).toMatchObject({ content: "Hello" });
});
