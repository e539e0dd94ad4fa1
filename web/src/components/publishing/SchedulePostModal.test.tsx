import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SchedulePostModal } from "./SchedulePostModal";
import { fakeServer } from "@/testing/fake-server";
import { renderWithApp, signedIn } from "@/testing/render";

const accepted = (body: { scheduled_for: string }) => ({
  status: 202,
  body: { id: "s1", status: "scheduled", business_id: 1, scheduled_for: body.scheduled_for, platforms: ["linkedin"], links: { self: "/api/v2/posts/s1" } },
});

function setWhen(date: string, time: string, zone: string) {
  fireEvent.change(screen.getByLabelText("Time zone"), { target: { value: zone } });
  fireEvent.change(screen.getByLabelText("Date"), { target: { value: date } });
  fireEvent.change(screen.getByLabelText("Time"), { target: { value: time } });
}

test("with the seed props it schedules in the chosen zone and hands onScheduled the post id", async () => {
  signedIn(1);
  const server = fakeServer({ "POST /api/v2/schedule": ({ body }) => accepted(body as { scheduled_for: string }) });
  const onScheduled = vi.fn();
  const onClose = vi.fn();
  renderWithApp(
    <SchedulePostModal isOpen={true} onClose={onClose} content="Post content" platforms={["linkedin"]} businessId={1} onScheduled={(id) => onScheduled(id)} />,
  );
  expect(screen.getByRole("dialog", { name: "Schedule post" })).toBeInTheDocument();
  setWhen("2030-07-01", "09:30", "Asia/Kolkata");
  expect(screen.getByText(/Goes out .*\(Asia\/Kolkata\) — .*4:00.*\(UTC\)/)).toBeInTheDocument();
  await userEvent.click(screen.getByLabelText("Skip it (mark as missed)"));
  await userEvent.click(screen.getByRole("button", { name: "Schedule" }));

  await waitFor(() => expect(onScheduled).toHaveBeenCalledWith("s1"));
  expect(onClose).toHaveBeenCalled();
  expect(server.requests[0].body).toEqual({
    content: "Post content",
    platforms: ["linkedin"],
    business_id: 1,
    scheduled_for: "2030-07-01T04:00:00.000Z",
    timezone: "Asia/Kolkata",
    late_policy: "skip",
  });
});

test("a time skipped by daylight saving is explained and moved past the gap", () => {
  signedIn(1);
  fakeServer({});
  renderWithApp(<SchedulePostModal isOpen onClose={() => {}} content="x" platforms={["linkedin"]} businessId={1} />);
  setWhen("2030-03-10", "02:30", "America/New_York");
  expect(screen.getByRole("note")).toHaveTextContent(
    "02:30 does not exist on 2030-03-10 in America/New_York: clocks skip 60 minutes for daylight saving time.",
  );
  expect(screen.getByText(/— .*7:30.*\(UTC\)/)).toBeInTheDocument();
});

test("a time that happens twice asks which one, and sends the one picked", async () => {
  signedIn(1);
  const server = fakeServer({ "POST /api/v2/schedule": ({ body }) => accepted(body as { scheduled_for: string }) });
  renderWithApp(<SchedulePostModal isOpen onClose={() => {}} content="x" platforms={["linkedin"]} businessId={1} />);
  setWhen("2030-11-03", "01:30", "America/New_York");
  expect(screen.getByText(/happens twice on 2030-11-03 in America\/New_York/)).toBeInTheDocument();
  await userEvent.click(screen.getByLabelText(/The second \(UTC-05:00/));
  await userEvent.click(screen.getByRole("button", { name: "Schedule" }));
  await waitFor(() => expect(server.requests).toHaveLength(1));
  expect((server.requests[0].body as { scheduled_for: string }).scheduled_for).toBe("2030-11-03T06:30:00.000Z");
});

test("the server's refusal stays on screen, in its words", async () => {
  signedIn(1);
  fakeServer({
    "POST /api/v2/schedule": () => ({ status: 422, body: { title: "The request is not valid", detail: "scheduled_for 2020-01-01T00:00:00+00:00 is in the past" } }),
  });
  const onScheduled = vi.fn();
  renderWithApp(<SchedulePostModal isOpen onClose={() => {}} content="x" platforms={["linkedin"]} businessId={1} onScheduled={onScheduled} />);
  await userEvent.click(screen.getByRole("button", { name: "Schedule" }));
  expect(await screen.findByRole("alert")).toHaveTextContent("Not scheduled: scheduled_for 2020-01-01T00:00:00+00:00 is in the past");
  expect(onScheduled).not.toHaveBeenCalled();
});

test("closed, it renders nothing", () => {
  fakeServer({});
  renderWithApp(<SchedulePostModal isOpen={false} onClose={() => {}} content="x" platforms={["linkedin"]} businessId={1} />);
  expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
});
