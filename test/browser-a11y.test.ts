import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, RunOptions } from 'axe-core';
import type { CDPSession, Frame, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { listLessons } from '../src/course/catalog.js';
import { startAttackPage } from '../src/server/attack-page.js';
import type { RunningStage } from '../src/server/start.js';
import { chromiumForThisFile, submitted, tellName } from './browser.js';
import { withStage } from './helpers.js';

// Every page each stage serves, as readers with a phone, dark mode, large text or a screen
// reader meet it: axe-core at WCAG 2.2 AA in light and dark at 1280 and 320 CSS px (inside the
// /embedded frames too), reflow at 320 px, text that follows the browser's default font size,
// and a console without errors. 200% zoom of a 1280 px window lays out as a 640 CSS px one, so
// it is not checked apart: 320 px is narrower, and 320 px with a 32 px default font is larger.

const browser = chromiumForThisFile();

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8');
const axeOptions: RunOptions = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
  resultTypes: ['violations'],
  // each frame is checked on its own below: a cross-site frame runs in a process of its own
  iframes: false,
};

/** The WCAG reflow width: 1280 CSS px at 400% zoom (WCAG 2.2, 1.4.10 Reflow). */
const reflowWidth = 320;
const widths = [1280, reflowWidth];
const schemes = ['light', 'dark'] as const;
/** A reader's raised default font size: twice Chromium's 16 px. */
const largeFont = 32;

/**
 * The only rules allowed to fail, each on the pages named and for the reason given. The test
 * also asserts that they do fail there, so the list cannot outlive its reason.
 */
const bareReply = {
  rules: ['document-title', 'html-has-lang'],
  reason:
    'stages 1 and 2 answer with one bare sentence, as the smallest Express app does (lesson 1 says so)',
};

interface View {
  /** What the reader did to get here, for the report. */
  label: string;
  /** The status of the document on top, when it is an error page (the browser logs it). */
  status?: number;
  /** Only this frame changed since the last check: check it alone. */
  frame?: Frame;
  except?: typeof bareReply;
}

interface Problem {
  view: string;
  where: string;
  what: string;
}

/** One tab for all of a stage's pages, collecting every problem it finds into one report. */
class Reader {
  readonly problems: Problem[] = [];
  private consoleErrors: { text: string; url: string }[] = [];
  private frames: Frame[] = [];
  private largeFontSessions: CDPSession[] = [];

  constructor(readonly page: Page) {
    page.on('console', (message) => {
      if (message.type() === 'error')
        this.consoleErrors.push({ text: message.text(), url: message.location().url });
    });
    page.on('pageerror', (error) => this.consoleErrors.push({ text: error.message, url: '' }));
  }

  /** Checks the page as it is now, in every scheme and width, then with a large default font. */
  async check(view: View): Promise<void> {
    this.frames = view.frame ? [view.frame] : this.page.frames();
    for (const frame of this.frames) await frame.waitForLoadState('load');
    for (const colorScheme of schemes) {
      await this.page.emulateMedia({ colorScheme });
      for (const width of widths) {
        await this.page.setViewportSize({ width, height: 800 });
        await this.settled();
        await this.axe(view, `${colorScheme}, ${width} px`);
        await this.framesFit(view, `${colorScheme}, ${width} px`);
        await this.wordsWhole(view, `${colorScheme}, ${width} px`);
      }
    }
    await this.page.emulateMedia({ colorScheme: 'light' });
    await this.withLargeFont(view);
    await this.settled();
    await this.axe(view, `light, ${reflowWidth} px, ${largeFont} px default font`);
    await setDefaultFont(this.largeFontSessions.splice(0), 16);
    await this.page.setViewportSize({ width: widths[0], height: 800 });
    this.consoleClean(view);
  }

  private async axe(view: View, how: string): Promise<void> {
    for (const frame of this.frames) {
      const seen = await axeIn(frame);
      const where = `${how}, ${frame.url()}`;
      const excepted = (id: string) =>
        frame === this.page.mainFrame() && view.except?.rules.includes(id);
      for (const v of seen.violations.filter((v) => !excepted(v.id))) {
        const nodes = v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary}`);
        this.problems.push({ view: view.label, where, what: `${v.id}: ${nodes.join('; ')}` });
      }
      for (const id of view.except?.rules ?? []) {
        if (frame === this.page.mainFrame() && !seen.violations.some((v) => v.id === id))
          this.problems.push({
            view: view.label,
            where,
            what: `${id} passes, so its exception (${view.except?.reason}) can go`,
          });
      }
      for (const what of await faintOutlines(frame))
        this.problems.push({ view: view.label, where, what });
    }
    if (how.includes(`${reflowWidth} px`)) await this.reflows(view, how);
  }

  /**
   * Waits until each frame has the size its <iframe> gives it now: a frame from another site
   * lays out in a process of its own, after the page around it.
   */
  private async settled(): Promise<void> {
    for (const frame of this.frames.filter((f) => f.parentFrame())) {
      const size = await (await frame.frameElement()).evaluate((el: Element) => [
        el.clientWidth,
        el.clientHeight,
      ]);
      await frame.waitForFunction(
        ([width, height]) =>
          Math.abs(innerWidth - width) <= 1 && Math.abs(innerHeight - height) <= 1,
        size,
      );
    }
  }

  /** Each framed page shows whole in its frame, its panel included, without scrolling inside it. */
  private async framesFit(view: View, how: string): Promise<void> {
    for (const frame of this.frames.filter((f) => f.parentFrame())) {
      const [content, shown] = await frame.evaluate(() => [
        document.documentElement.scrollHeight,
        innerHeight,
      ]);
      if (content > shown)
        this.problems.push({
          view: view.label,
          where: `${how}, ${frame.url()}`,
          what: `scrolls inside its frame: ${content} px of page in ${shown} px`,
        });
    }
  }

  /**
   * No word is broken across lines where it would fit on a line of its own: only a word longer
   * than its box (a cookie's value) may break, and a line may end after a hyphen.
   */
  private async wordsWhole(view: View, how: string): Promise<void> {
    for (const frame of this.frames) {
      const broken = await frame.evaluate(() => {
        const found: string[] = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node as Text;
          const room = text.parentElement?.getBoundingClientRect().width ?? 0;
          const measure = (start: number, end: number) => {
            const range = document.createRange();
            range.setStart(text, start);
            range.setEnd(text, end);
            const rects = [...range.getClientRects()].filter((r) => r.width > 0);
            return {
              lines: new Set(rects.map((r) => Math.round(r.top))).size,
              width: rects.reduce((sum, r) => sum + r.width, 0),
            };
          };
          for (const token of text.data.matchAll(/\S+/gu)) {
            // a value wider than its box (a signed session ID) breaks wherever the browser can
            if (measure(token.index, token.index + token[0].length).width >= room) continue;
            // a line may end after a hyphen before a letter or digit (Sec-Fetch-Dest, a date):
            // each part is a word here; a hyphen before anything else (`-.`) breaks nothing
            for (const word of token[0].matchAll(/(?:[^-]|-(?![\p{L}\p{N}]))+-?/gu)) {
              const at = token.index + word.index;
              const { lines, width } = measure(at, at + word[0].length);
              if (lines > 1 && width < room) found.push(word[0]);
            }
          }
        }
        return found;
      });
      if (broken.length > 0)
        this.problems.push({
          view: view.label,
          where: `${how}, ${frame.url()}`,
          what: `breaks words that fit on a line of their own: ${broken.join(', ')}`,
        });
    }
  }

  /** No frame scrolls sideways at the width the viewport has now. */
  private async reflows(view: View, how: string): Promise<void> {
    for (const frame of this.frames) {
      const { scrollWidth, clientWidth } = await frame.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      if (scrollWidth > clientWidth)
        this.problems.push({
          view: view.label,
          where: `${how}, ${frame.url()}`,
          what: `scrolls sideways: ${scrollWidth} px of content in ${clientWidth} px`,
        });
    }
  }

  /**
   * Raises Chromium's default font size to 32 px in every frame (each cross-site frame has a
   * renderer, so a DevTools session, of its own) and checks that every piece of text grew with
   * it: sizes set in rem or em follow the reader's setting, sizes in px do not. Leaves the
   * large font on for the caller's last checks, which then set it back.
   */
  private async withLargeFont(view: View): Promise<void> {
    await this.page.setViewportSize({ width: reflowWidth, height: 800 });
    const before = await Promise.all(this.frames.map(textSizes));
    const context = this.page.context();
    for (const frame of this.frames)
      this.largeFontSessions.push(
        await context.newCDPSession(frame === this.page.mainFrame() ? this.page : frame),
      );
    await setDefaultFont(this.largeFontSessions, largeFont);
    const after = await Promise.all(this.frames.map(textSizes));
    this.frames.forEach((frame, i) => {
      const unscaled = before[i].filter((size, j) => after[i][j].px !== size.px * 2);
      for (const size of unscaled)
        this.problems.push({
          view: view.label,
          where: frame.url(),
          what: `${size.element} stays ${size.px} px with a ${largeFont} px default font`,
        });
    });
  }

  /**
   * No console errors, but one: the browser reports an error page's own status
   * ("Failed to load resource: … 404"), which is what that page is for.
   */
  private consoleClean(view: View): void {
    const own = `the server responded with a status of ${view.status} `;
    for (const error of this.consoleErrors.splice(0)) {
      if (view.status && error.url === this.page.url() && error.text.includes(own)) continue;
      this.problems.push({
        view: view.label,
        where: error.url,
        what: `console error: ${error.text}`,
      });
    }
  }
}

async function axeIn(frame: Frame, options = axeOptions): Promise<AxeResults> {
  // the context's init script loaded it, unless the page was loaded with scripts off
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(axeSource);
  return frame.evaluate(
    (options) =>
      (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, options),
    options,
  );
}

/**
 * What axe-core leaves out (WCAG 2.2, 1.4.11 Non-text Contrast): a field's border, the only
 * thing that shows where it is, and the focus ring of every control and link must stand out
 * 3:1 from the background around them.
 */
function faintOutlines(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => {
    const luminance = (color: string) => {
      const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
        const v = Number(c) / 255;
        return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    };
    const transparent = (color: string) => /^rgba\(.*, 0\)$|^transparent$/.test(color);
    const around = (el: Element) => {
      for (let at = el.parentElement; at; at = at.parentElement) {
        const color = getComputedStyle(at).backgroundColor;
        if (!transparent(color)) return color;
      }
      return 'rgb(255, 255, 255)'; // the canvas
    };
    const faint: string[] = [];
    for (const field of document.querySelectorAll('input:not([type="hidden"])')) {
      // against the field's own background inside it and the page's outside it
      const { borderTopColor: border, backgroundColor: inside } = getComputedStyle(field);
      const outside = around(field);
      const ratio = Math.min(
        contrast(border, transparent(inside) ? outside : inside),
        contrast(border, outside),
      );
      if (ratio < 3) faint.push(`#${field.id} border ${border}: ${ratio.toFixed(2)}:1`);
    }
    const active = document.activeElement;
    for (const control of document.querySelectorAll<HTMLElement>(
      'input:not([type="hidden"]), button, a[href]',
    )) {
      if (!control.checkVisibility()) continue;
      control.focus({ focusVisible: true } as FocusOptions);
      const { outlineStyle, outlineColor } = getComputedStyle(control);
      const ratio = contrast(outlineColor, around(control));
      if (outlineStyle === 'none' || ratio < 3)
        faint.push(
          `focus ring of <${control.localName}> ${outlineStyle} ${outlineColor}: ${ratio.toFixed(2)}:1`,
        );
      control.blur();
    }
    (active as HTMLElement | null)?.focus();
    return faint;
  });
}

/** The computed font size of every element that holds text or is a form control. */
function textSizes(frame: Frame): Promise<{ element: string; px: number }[]> {
  return frame.evaluate(() =>
    [...document.body.querySelectorAll('*')]
      .filter(
        (el) =>
          el.matches('input, button, textarea, select') ||
          [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.trim()),
      )
      .map((el) => ({
        element: `<${el.localName}> "${el.textContent?.trim().slice(0, 30)}"`,
        px: Number.parseFloat(getComputedStyle(el).fontSize),
      })),
  );
}

async function setDefaultFont(sessions: CDPSession[], px: number): Promise<void> {
  for (const session of sessions) {
    // the fixed (monospace) size keeps Chromium's ratio of 13 to 16
    await session.send('Page.setFontSizes', {
      fontSizes: { standard: px, fixed: Math.round((px * 13) / 16) },
    });
    if (px === 16) await session.detach();
  }
}

/** Runs `read` in a fresh profile and fails with every problem it found, all in one report. */
async function asReader(read: (reader: Reader) => Promise<void>): Promise<void> {
  const context = await (await browser()).newContext({ viewport: { width: 1280, height: 800 } });
  // sent once, run in every document as it starts: cheaper than sending it to each page
  await context.addInitScript(axeSource);
  const reader = new Reader(await context.newPage());
  try {
    await read(reader);
  } finally {
    // also when a step fails (say, a field whose label is gone), with what was found until then
    expect.soft(reader.problems).toEqual([]);
    await context.close();
  }
}

async function visit(reader: Reader, url: string, view: View): Promise<void> {
  await reader.page.goto(url);
  await reader.check(view);
}

async function after(reader: Reader, act: () => Promise<unknown>, view: View): Promise<void> {
  await act();
  await reader.check(view);
}

function framed(page: Page, url: string): Frame {
  const frame = page.frame({ url });
  if (!frame) throw new Error(`/embedded has no frame showing ${url}`);
  return frame;
}

/** Every page stage N serves, reached as a learner reaches it. */
async function readStage(reader: Reader, stage: RunningStage): Promise<void> {
  const { page } = reader;
  const n = stage.number;
  await visit(reader, stage.url, { label: 'GET /', except: n <= 2 ? bareReply : undefined });
  await visit(reader, `${stage.url}/nowhere`, { label: 'the 404 page', status: 404 });
  if (n < 3) return;

  const signedIn = n === 3 ? 404 : undefined; // stage 3's form posts to a page it lacks yet
  const signIn = async () => {
    await page.goto(stage.url);
    await tellName(page, page, 'Ada');
  };
  await after(reader, signIn, {
    label: 'after telling the name',
    status: signedIn,
  });
  if (n >= 4) {
    const blank = async () => {
      await page.context().clearCookies();
      await page.goto(stage.url);
      await submitted(page, page, async () => {
        await page.getByLabel('What is your name?').fill('   ');
        await page.keyboard.press('Enter');
      });
    };
    await after(reader, blank, { label: 'a blank name (400)', status: 400 });
  }

  if (n >= 6) {
    await visit(reader, `${stage.url}/embedded`, { label: '/embedded' });
    const frame = framed(page, `http://127.0.0.1:${stage.port}/partitioned/`);
    await after(reader, () => tellName(page, frame, 'Ada'), {
      label: '/embedded, signed in inside the partitioned frame',
      frame,
    });
  }

  if (n === 12) await readAttackPage(reader, stage);
}

/** Lesson 12's attack page, from another site, then the 403 the stage answers its form with. */
async function readAttackPage(reader: Reader, stage: RunningStage): Promise<void> {
  const attack = await startAttackPage(stage.url, '127.0.0.1', 0);
  try {
    const { page } = reader;
    // the page sends its form as it loads; loaded with scripts off, as a browser without
    // JavaScript loads it, it stays and shows its button. Scripts come back on once it is
    // parsed (its own script does not run again) for axe-core, which needs timers and promises:
    // with scripts off, neither runs and axe.run never settles
    const devtools = await page.context().newCDPSession(page);
    await devtools.send('Emulation.setScriptExecutionDisabled', { value: true });
    await page.goto(`${attack.url}/`);
    await devtools.send('Emulation.setScriptExecutionDisabled', { value: false });
    await devtools.detach();
    await reader.check({ label: 'the attack page, JavaScript off' });
    // the button was on screen and axe-core checked it
    expect(await page.getByRole('button', { name: 'Send the form' }).isVisible()).toBe(true);
    const named = await axeIn(page.mainFrame(), { runOnly: ['button-name'] });
    expect(named.passes.flatMap((rule) => rule.nodes.map((node) => node.html))).toEqual([
      '<button type="submit">Send the form</button>',
    ]);

    await page.goto(stage.url);
    await tellName(page, page, 'Ada');
    const forged = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.goto(`${attack.url}/`);
    expect((await forged).status()).toBe(403);
    await page.waitForLoadState();
    await reader.check({ label: 'the 403 the attack page gets', status: 403 });
  } finally {
    await attack.stop();
  }
}

const stageNumbers = listLessons().map((lesson) => lesson.number);

describe.each(stageNumbers)('stage %i in Chromium, as every reader meets it', (number) => {
  it('passes axe at WCAG 2.2 AA in light and dark at 1280 and 320 px, reflows, scales its text and logs no error', async () => {
    await withStage(number, (stage) => asReader((reader) => readStage(reader, stage)));
  }, 120_000);
});

describe.each([1, 2])('stage %i on a phone', (number) => {
  it('lays its bare sentence out at the width of the screen, in the default font size', async () => {
    await withStage(number, async (stage) => {
      const context = await (await browser()).newContext({
        viewport: { width: 360, height: 740 },
        isMobile: true, // honours <meta name="viewport">; without it the page is 980 px wide
        deviceScaleFactor: 3,
      });
      try {
        const page = await context.newPage();
        await page.goto(stage.url);
        expect(
          await page.evaluate(() => ({
            width: innerWidth,
            zoom: visualViewport?.scale,
            text: document.body.textContent?.trim(),
            font: getComputedStyle(document.body).fontSize,
          })),
        ).toEqual({ width: 360, zoom: 1, text: 'Hello from Express!', font: '16px' });
      } finally {
        await context.close();
      }
    });
  });
});
