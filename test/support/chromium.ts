/** Debian's Chromium, headless, as the NOC dashboard's browser tests drive it, and the sign-in they share. */
import { chromium, type BrowserContext, type Page } from "playwright-core";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A persistent profile in `profileDir` (so a test can reload and keep its cookie and localStorage). */
export function launchChromium(
  profileDir: string,
  options: { locale?: string; env?: Record<string, string> } = {},
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 900 },
    ...options,
  });
}

/** Through the login page the NOC sends a browser without a session to, until the dashboard shows. */
export async function signIn(
  page: Page,
  url: string,
  who: { user: string; password: string },
): Promise<void> {
  await page.goto(url);
  await page.waitForURL(/\/login$/);
  await page.fill('input[name="user"]', who.user);
  await page.fill('input[name="password"]', who.password);
  await page.click('button[type="submit"]');
  await page.waitForSelector("#logout");
}
