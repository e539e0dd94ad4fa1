// Browser tests against a running Herald: Debian's Chromium driven by playwright-core
// (Playwright's own browser download cannot be used here). The stack's URLs come from the
// environment (tests/e2e/test_dashboard.py passes those of the e2e stack it starts).
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import axe from "axe-core";

export const GATEWAY = process.env.HERALD_GATEWAY_URL ?? "http://127.0.0.1:8000";
export const APP = `${GATEWAY}/app/`;
export const SCREENSHOTS = process.env.HERALD_SCREENSHOT_DIR ?? fileURLToPath(new URL("../test-results/screenshots/", import.meta.url));
// A browser zone other than UTC, and a different zone again for scheduling: times must be converted.
export const BROWSER_ZONE = "America/New_York";

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

export async function newContext(browser: Browser, options: { mobile?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    timezoneId: BROWSER_ZONE,
    locale: "en-US",
    viewport: options.mobile ? { width: 390, height: 844 } : { width: 1366, height: 900 },
    deviceScaleFactor: 1,
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
  });
}

/** The one-click demo sign-in, as a person does it. */
export async function signIn(page: Page, business = 1): Promise<void> {
  await page.goto(APP);
  await page.getByRole("button", { name: `Sign in to demo business ${business}` }).click();
  await page.getByRole("heading", { name: "Compose" }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** axe-core on the page as it is now; returns the serious and critical violations (none expected). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on.
  await page.evaluate(axe.source);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] }),
  )) as axe.AxeResults;
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

/** The wall-clock time of an instant in a zone, as the dashboard prints it (HH:mm). */
export function hhmm(instant: number, zone: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(instant);
}

export function wallParts(instant: number, zone: string): { date: string; time: string } {
  const f = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}:${p.second}` };
}
