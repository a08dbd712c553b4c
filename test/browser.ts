import { existsSync } from 'node:fs';
import { type Browser, chromium, type Frame, type Page, type Response } from 'playwright-core';
import { afterAll } from 'vitest';

/** Debian's chromium: Playwright's own browser download cannot reach its servers here. */
export const chromiumPath = '/usr/bin/chromium';

/** The flags every test's Chromium starts with. */
export const chromiumArgs = [
  '--no-sandbox', // CI runs as root, where Chromium's sandbox refuses to start
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Throws (so the tests fail, never skip) when Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `${chromiumPath} is missing: install it with \`apt-get install chromium\` (.ci/run does).`,
    );
  }
}

/** Starts headless Chromium; throws (so the tests fail, never skip) when it is not installed. */
async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({ executablePath: chromiumPath, timeout: 20_000, args: chromiumArgs });
}

/**
 * The test file's Chromium: launched by the first test that needs it, so that without Chromium
 * every test fails (none is skipped), and closed after the file's last test.
 */
export function chromiumForThisFile(): () => Promise<Browser> {
  let launched: Promise<Browser> | undefined;
  afterAll(async () => {
    await (await launched?.catch(() => undefined))?.close();
  });
  return () => {
    launched ??= launchChromium();
    return launched;
  };
}

/**
 * Runs `act`, which submits the form in `where`, and waits until the answer is the document shown
 * there (after the redirect, if any); resolves with the response to the POST itself.
 */
export async function submitted(
  page: Page,
  where: Page | Frame,
  act: () => Promise<void>,
): Promise<Response> {
  const frame = 'mainFrame' in where ? where.mainFrame() : where;
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && r.frame() === frame,
  );
  const navigated = page.waitForEvent('framenavigated', { predicate: (f) => f === frame });
  // one Promise.all, so that when `act` fails the two waits that then time out are handled too
  const [response] = await Promise.all([posted, navigated, act()]);
  await frame.waitForLoadState();
  return response;
}

/** Types a name into the form the way a learner does, submits it and waits for the next page. */
export function tellName(page: Page, where: Page | Frame, name: string): Promise<Response> {
  return submitted(page, where, async () => {
    await where.getByLabel('What is your name?').fill(name);
    await where.getByRole('button', { name: 'Remember me' }).click();
  });
}

/** The "What the server sees" panel as { term: value }, read from what the browser rendered. */
export async function serverSees(where: Page | Frame): Promise<Record<string, string>> {
  const panel = where.getByRole('complementary', { name: 'What the server sees' });
  const terms = await panel.locator('dt').allTextContents();
  const values = await panel.locator('dd').allTextContents();
  return Object.fromEntries(terms.map((term, i) => [term, values[i]]));
}
