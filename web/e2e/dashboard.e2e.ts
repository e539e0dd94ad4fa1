// The dashboard in a real Chromium against the running stack: what a person sees and does.
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { APP, BROWSER_ZONE, hhmm, launch, newContext, screenshot, seriousA11yViolations, signIn, wallParts } from "./support";

let browser: Browser;
const a11y: Record<string, string[]> = {};
const runId = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

let current: Page | null = null;

async function page(mobile = false): Promise<Page> {
  const context = await newContext(browser, { mobile });
  current = await context.newPage();
  return current;
}

// A failed test leaves a picture of what the browser showed.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && current && !current.isClosed()) {
    await screenshot(current, `FAILED-${ctx.task.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => {});
  }
  await current?.context().close().catch(() => {});
  current = null;
});

async function audit(p: Page, name: string): Promise<void> {
  await screenshot(p, name);
  a11y[name] = await seriousA11yViolations(p);
}

const LONG =
  "Herald publishes to every network from one place. " +
  Array.from({ length: 12 }, (_, i) => `Sentence ${i + 1} explains one more thing about scheduling posts across time zones.`).join(" ");

test("demo sign-in: one click, no token to paste, live updates on", async () => {
  const p = await page();
  await p.goto(APP);
  await p.getByRole("button", { name: "Sign in to demo business 1" }).waitFor();
  await audit(p, "sign-in");
  await p.getByRole("button", { name: "Sign in to demo business 1" }).click();
  await p.getByRole("heading", { name: "Compose" }).waitFor();
  await p.getByRole("status", { name: "Live updates on" }).waitFor();
  expect(await p.evaluate(() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage))).not.toMatch(/eyJ/);
  await p.context().close();
});

test("compose: a long text shows X's thread parts from the server's preview", async () => {
  const p = await page();
  await signIn(p);
  await p.getByLabel("Post text").fill(LONG);
  const x = p.getByRole("region", { name: "X preview" });
  await x.getByText(/^Part 1 of [2-9]$/).waitFor();
  const parts = await x.locator(".preview-parts > li").count();
  expect(parts).toBeGreaterThanOrEqual(3);
  await expect.poll(() => x.getByText(`Part ${parts} of ${parts}`).count()).toBe(1);
  const linkedin = p.getByRole("region", { name: "LinkedIn preview" });
  await linkedin.getByText("Part 1 of 1").waitFor();
  await audit(p, "compose");
  await p.context().close();
});

test("publish now: published with links arrives through the live stream", async () => {
  const p = await page();
  let polls = 0;
  p.on("request", (r) => r.method() === "GET" && /\/api\/v2\/posts\/[0-9a-f-]{36}$/.test(r.url()) && polls++);
  await signIn(p);
  await p.getByRole("status", { name: "Live updates on" }).waitFor();
  await p.getByLabel("Post text").fill(`Published from the dashboard ${runId}`);
  await p.getByRole("region", { name: "X preview" }).getByText("Part 1 of 1").waitFor();
  await p.getByRole("button", { name: "Publish now" }).click();
  const last = p.getByRole("region", { name: "Last post" });
  await last.getByRole("link", { name: "View on X" }).waitFor({ timeout: 30_000 });
  await last.getByRole("link", { name: "View on LinkedIn" }).waitFor({ timeout: 30_000 });
  await last.locator(".badge.status-published").first().waitFor();
  expect(await last.getByRole("link", { name: "View on X" }).getAttribute("href")).toMatch(/^https:\/\/(x|twitter)\.com\//);
  // Each refresh followed a pushed change: a handful of reads, not a poll every few seconds.
  expect(polls).toBeLessThanOrEqual(8);
  await screenshot(p, "compose-published");
  await p.context().close();
});

test("schedule 10 s ahead in another zone: right local time in the calendar, then published", async () => {
  const p = await page();
  await signIn(p);
  const text = `Scheduled across zones ${runId}`;
  await p.getByLabel("Post text").fill(text);
  await p.getByRole("region", { name: "X preview" }).getByText("Part 1 of 1").waitFor();
  await p.getByRole("button", { name: "Schedule…" }).click();
  const dialog = p.getByRole("dialog", { name: "Schedule post" });
  await dialog.getByLabel("Time zone").selectOption("Asia/Kolkata");
  const due = Math.ceil((Date.now() + 10_000) / 1000) * 1000;
  const wall = wallParts(due, "Asia/Kolkata");
  await dialog.getByLabel("Date", { exact: true }).fill(wall.date);
  await dialog.getByLabel("Time", { exact: true }).fill(wall.time);
  await dialog.getByText(/Goes out .*\(Asia\/Kolkata\) — .*\(UTC\)/).waitFor();
  await screenshot(p, "schedule-modal");
  a11y["schedule-modal"] = await seriousA11yViolations(p);
  await dialog.getByRole("button", { name: "Schedule" }).click();
  await dialog.waitFor({ state: "detached" });

  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  await p.getByRole("button", { name: "Week", exact: true }).click();
  const local = hhmm(due, BROWSER_ZONE); // the calendar shows the viewer's zone (the browser's)
  const chip = p.getByRole("button", { name: new RegExp(`^${local} ${text}, `) });
  await chip.waitFor();
  await audit(p, "calendar-week");
  // The week lists every post of a day (a month cell may fold it under "+N more").
  await p.getByRole("button", { name: new RegExp(`^${local} ${text}, Published$`) }).waitFor({ timeout: 60_000 });
  await p.getByRole("button", { name: "Month" }).click();
  await p.locator(".grid-month").waitFor();
  await audit(p, "calendar");
  await p.getByRole("button", { name: "Week", exact: true }).click();
  await chip.click();
  const details = p.getByRole("dialog", { name: "Scheduled post" });
  await details.getByRole("link", { name: "View on X" }).waitFor();
  await audit(p, "post-details");
  await p.context().close();
});

test("cancel a scheduled post", async () => {
  const p = await page();
  await signIn(p);
  await p.getByLabel("Post text").fill(`To be cancelled ${runId}`);
  await p.getByRole("region", { name: "X preview" }).getByText("Part 1 of 1").waitFor();
  await p.getByRole("button", { name: "Schedule…" }).click();
  await p.getByRole("dialog", { name: "Schedule post" }).getByRole("button", { name: "Schedule" }).click();
  const last = p.getByRole("region", { name: "Last post" });
  await last.getByRole("button", { name: "Cancel post…" }).click();
  await last.getByRole("button", { name: "Yes, cancel it" }).click();
  await last.getByText(/^(Cancelled: the post will not be published\.|Cancel requested\.)/).waitFor();
  await last.locator(".post-details > .row .badge.status-cancelled").waitFor({ timeout: 30_000 });
  await screenshot(p, "cancelled");
  await p.context().close();
});

test("recent posts list what was published and scheduled", async () => {
  const p = await page();
  await signIn(p);
  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Recent posts" }).click();
  await p.getByRole("link", { name: `Published from the dashboard ${runId}` }).waitFor();
  await audit(p, "recent-posts");
  await p.getByRole("link", { name: `Published from the dashboard ${runId}` }).click();
  await p.getByRole("heading", { name: "Post" }).waitFor();
  await p.getByRole("link", { name: "View on X" }).waitFor();
  await p.context().close();
});

test("connect an account through the platform's OAuth pages, and disconnect it", async () => {
  const p = await page();
  await signIn(p, 2);
  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Accounts" }).click();
  await p.getByRole("heading", { name: "Connected accounts" }).waitFor();
  await p.locator("li.card, .empty").first().waitFor();
  const xAccounts = p.locator("li.card").filter({ has: p.locator("strong", { hasText: /^X$/ }) });
  async function disconnectEveryX() {
    for (let n = await xAccounts.count(); n > 0; n--) {
      await xAccounts.first().getByRole("button", { name: "Disconnect…" }).click();
      await xAccounts.first().getByRole("button", { name: /^Yes, disconnect/ }).click();
      await expect.poll(() => xAccounts.count(), { timeout: 10_000 }).toBe(n - 1);
    }
  }
  await disconnectEveryX();
  const [consent] = await Promise.all([p.context().waitForEvent("page"), p.getByRole("button", { name: "Connect X" }).click()]);
  await consent.getByRole("heading", { name: "X is connected" }).waitFor({ timeout: 30_000 });
  expect(consent.url()).toContain("/app/connected?connected=twitter");
  await screenshot(consent, "account-connected");
  // This tab kept its session and learned of the new account from the consent tab.
  await xAccounts.getByText("Active").waitFor({ timeout: 15_000 });
  await audit(p, "accounts");
  await disconnectEveryX(); // the suite's demo accounts are seeded again afterwards
  await p.context().close();
});

test("API keys: created and shown once, listed, revoked", async () => {
  const p = await page();
  await signIn(p);
  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API keys" }).click();
  const name = `dashboard key ${runId}`;
  await p.getByLabel("Key name").fill(name);
  await p.getByRole("button", { name: "Create key" }).click();
  const secret = p.getByLabel("New API key");
  await expect.poll(async () => (await secret.textContent()) ?? "").toMatch(/^hk_/);
  const row = p.locator("li.card", { hasText: name });
  await row.waitFor();
  await audit(p, "api-keys");
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await row.waitFor({ state: "detached" });
  await p.context().close();
});

test("usable on a narrow phone screen", async () => {
  const p = await page(true);
  await signIn(p);
  await p.getByLabel("Post text").fill(LONG);
  await p.getByRole("region", { name: "X preview" }).getByText(/^Part 1 of/).waitFor();
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await audit(p, "compose-mobile");
  await p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Calendar" }).click();
  await p.getByRole("grid").waitFor();
  expect(await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await audit(p, "calendar-mobile");
  await p.context().close();
});

test("axe-core: no serious or critical violation on any page", () => {
  expect(Object.keys(a11y).length).toBeGreaterThanOrEqual(8);
  const found = Object.entries(a11y).flatMap(([name, violations]) => violations.map((v) => `${name}: ${v}`));
  expect(found).toEqual([]);
});
