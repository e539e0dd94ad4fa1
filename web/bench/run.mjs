// Dashboard benchmarks, printed as JSON for bench/run.py:
//  - the gzipped JavaScript the first page loads (index.html's script and its preloads);
//  - the month calendar with 1,000 posts in headless Chromium: time from the click that shows the
//    month until the frame after React committed it (median of runs), with the API answered by
//    page.route from generated posts, so only the dashboard is measured.
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { extname, join } from "node:path";
import { chromium } from "playwright-core";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const ORIGIN = "http://herald.bench";
const POSTS = Number(process.env.BENCH_CALENDAR_POSTS ?? 1000);
const RUNS = 7;

function firstPageJs() {
  const html = readFileSync(join(DIST, "index.html"), "utf8");
  const files = [...html.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const bytes = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length, 0);
  const all = readdirSync(join(DIST, "assets")).filter((f) => f.endsWith(".js"));
  const total = all.reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, "assets", f)), { level: 9 }).length, 0);
  return { files, gzip_kb: bytes / 1024, all_js_gzip_kb: total / 1024 };
}

function fakeJwt() {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${b64({ alg: "RS256" })}.${b64({ sub: "bench", businesses: [1], exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
}

function posts(year, month) {
  const statuses = ["scheduled", "published", "failed", "cancelled", "publishing", "partially_published", "missed"];
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return Array.from({ length: POSTS }, (_, i) => {
    const when = new Date(Date.UTC(year, month - 1, 1 + (i % days), (i * 7) % 24, (i * 13) % 60)).toISOString();
    return {
      id: `bench-${i}`, business_id: 1, status: statuses[i % statuses.length], content: `Benchmark post number ${i} with some text`,
      scheduled_for: when, timezone: "UTC", late_policy: "publish", created_at: when, updated_at: when,
      platforms: [{ platform: "linkedin", status: "scheduled", attempts: 0, platform_post_id: null, url: null, parts: [], reason: null, error_code: null, reauth_required: false, next_attempt_at: null }],
      links: { self: `/api/v2/posts/bench-${i}` },
    };
  });
}

const TYPES = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml" };

async function calendar() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const context = await browser.newContext({ timezoneId: "UTC", viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const now = new Date();
    const all = posts(now.getUTCFullYear(), now.getUTCMonth() + 1);
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      const json = (body) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(body) });
      if (url.pathname === "/api/v2/auth/config") return json({ mode: "demo", demo_businesses: [1] });
      if (url.pathname === "/dev/sign-in") return json({ access_token: fakeJwt(), expires_in: 3600 });
      if (url.pathname === "/api/v2/events") return route.fulfill({ status: 200, contentType: "text/event-stream", body: ": connected\n\n" });
      if (url.pathname === "/api/v2/scheduled") {
        const offset = Number(url.searchParams.get("cursor") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 200);
        const next = offset + limit < all.length ? String(offset + limit) : null;
        return json({ items: all.slice(offset, offset + limit), next_cursor: next });
      }
      if (url.pathname.startsWith("/api/")) return json({});
      const file = url.pathname.startsWith("/app/assets/") || url.pathname === "/app/favicon.svg" ? url.pathname.slice(5) : "index.html";
      return route.fulfill({ status: 200, contentType: TYPES[extname(file)] ?? "text/html", body: readFileSync(join(DIST, file)) });
    });
    await page.goto(`${ORIGIN}/app/dashboard/scheduled`);
    await page.getByRole("button", { name: "Sign in to demo business 1" }).click();
    await page.getByText(`${all.length} scheduled posts in this month.`).waitFor({ timeout: 60_000 });
    const samples = [];
    for (let i = 0; i < RUNS; i++) {
      await page.getByRole("button", { name: "Week" }).click();
      await page.locator(".grid-week").waitFor();
      samples.push(
        await page.evaluate(async () => {
          const button = [...document.querySelectorAll("button")].find((b) => b.textContent === "Month");
          const t0 = performance.now();
          button.click();
          await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
          if (!document.querySelector(".grid-month")) throw new Error("the month did not render");
          return performance.now() - t0;
        }),
      );
    }
    const chips = await page.locator(".grid-month .chip").count();
    samples.sort((a, b) => a - b);
    return { posts: all.length, chips_shown: chips, median_ms: samples[Math.floor(samples.length / 2)], max_ms: samples.at(-1) };
  } finally {
    await browser.close();
  }
}

console.log(JSON.stringify({ first_page: firstPageJs(), calendar: await calendar() }));
