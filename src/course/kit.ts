import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Store } from 'express-session';
import { packageRoot } from '../paths.js';
import { explainCookie } from '../probe/cookies.js';
import type { Hop } from '../probe/hop.js';
import { pageOf, rememberedVerdict } from '../probe/verdict.js';
import type { Visitor } from '../probe/visitor.js';
import type { DemoContext, StoredSession, Verdict } from './types.js';

/** A visitor posts its name to /setName, then asks for / again; both exchanges, every hop. */
export async function postNameThenReturn(
  url: string,
  visitor: Visitor,
  name: string,
): Promise<{ posted: Hop[]; again: Hop[] }> {
  const posted = await visitor.post(`${url}/setName`, { name });
  const again = await visitor.get(`${url}/`);
  return { posted, again };
}

/**
 * The heart of the course: a visitor tells the server its name, then comes back.
 * Remembered or forgotten is decided by what GET / answers on the return visit. The POST's
 * redirect is not followed: the GET / after it is the one a browser would make anyway.
 */
export async function tellNameThenReturn(
  ctx: DemoContext,
  visitor: Visitor,
  name: string,
  expected: 'remembered' | 'forgotten',
  base = ctx.stage.probeUrl,
): Promise<Verdict> {
  const posted = await visitor.post(`${base}/setName`, { name }, { follow: false });
  const again = await visitor.get(`${base}/`);
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: [...posted, ...again] });
  return rememberedVerdict(visitor.label, again.at(-1), name, expected);
}

/**
 * Why a browser did not send a cookie back to GET /, read from the Set-Cookie lines it got:
 * a sharper hint than "not remembered" when the cookie itself is the mistake.
 */
export function whyNoCookieCameBack(posted: Hop[], again: Hop[], url: string): string | undefined {
  if (again[0]?.cookieSent !== undefined) return undefined;
  const lines = posted.flatMap((hop) => hop.setCookie);
  if (lines.length === 0) {
    return 'POST /setName sent no Set-Cookie, so the browser had nothing to send back: store the name in the session, which makes the server send the session cookie.';
  }
  for (const line of lines) {
    const cookie = explainCookie(line);
    if (!cookie) continue;
    if (cookie.path && !'/'.startsWith(cookie.path)) {
      return `The cookie ${cookie.name} was set with Path=${cookie.path}, so a browser sends it only to ${cookie.path} and the pages below it, never to GET /. Leave Path out, or set Path=/.`;
    }
    if (cookie.secure && url.startsWith('http:')) {
      return `The cookie ${cookie.name} is Secure, so a browser sends it back only over https, and ${url} is http. Set Secure only behind https.`;
    }
    if (
      /max-age=(0|-)/i.test(line) ||
      (cookie.lifetime?.startsWith('Expires=') && new Date(cookie.lifetime.slice(8)) < new Date())
    ) {
      return `The cookie ${cookie.name} has already expired (${cookie.lifetime}), so the browser drops it at once.`;
    }
  }
  return `The browser got Set-Cookie: ${lines[0].split(';')[0]}, but could not use it for ${url}/: check its Domain and Path.`;
}

/**
 * Notes which sessions the store holds now; the function it returns lists only those made since,
 * so a demo shows its own sessions, not the earlier lessons' (the tutor keeps one store for all).
 */
export async function watchStore(store: Store): Promise<() => Promise<StoredSession[]>> {
  const before = new Set((await storedSessions(store)).map((s) => s.id));
  return async () => (await storedSessions(store)).filter((s) => !before.has(s.id));
}

/** What the session store holds right now: session ID → data (without the cookie settings). */
export function storedSessions(store: Store): Promise<StoredSession[]> {
  return new Promise((resolve, reject) => {
    if (!store.all) {
      resolve([]);
      return;
    }
    store.all((err, sessions) => {
      if (err) return reject(err);
      const list = Array.isArray(sessions)
        ? sessions.map((data, i) => [String(i), data] as const)
        : Object.entries(sessions ?? {});
      resolve(
        list.map(([id, data]) => {
          const { cookie: _cookie, ...rest } = data as unknown as Record<string, unknown>;
          return { id, data: rest };
        }),
      );
    });
  });
}

/**
 * A half of a demo that could not run on this machine: a verdict that says so, and why, instead
 * of one that claims an outcome nobody observed. `start` counts it apart in its summary.
 */
export function notRun(label: string, why: string, command: string): Verdict {
  return {
    label,
    outcome: 'not run',
    expected: 'not run',
    evidence: `${why}. To run it on Node 24, from npm's node package: ${command}`,
    skipped: `${label}: ${why}`,
  };
}

/**
 * A folder of the system's temporary folder for one demo (a SQLite file), removed when the demo
 * ends. Removal is retried, as a file may stay busy for a moment (EBUSY and EPERM on Windows,
 * where an antivirus scans a new file), and never fails the lesson: a folder that stays busy is
 * left where the system clears temporary files.
 */
export function demoFolder(ctx: Pick<DemoContext, 'own'>, lesson: number): string {
  const dir = mkdtempSync(join(tmpdir(), `session-tutor-lesson-${lesson}-`));
  ctx.own({ stop: () => removeFolder(dir) });
  return dir;
}

const busy = new Set(['EBUSY', 'EPERM', 'ENOTEMPTY', 'EMFILE', 'ENFILE']);

/** Tries five times in about 1.5 s. */
async function removeFolder(dir: string, attempts = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rm(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if (attempt === attempts || !busy.has((err as NodeJS.ErrnoException).code ?? '')) return;
      await sleep(50 * 2 ** attempt);
    }
  }
}

/** The exact command that runs lesson N of this very tutor under Node 24 (npm's `node` package). */
export function lessonOnNode24(lesson: number): string {
  const { bin } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as {
    bin: Record<string, string>;
  };
  return `npx -y node@24 ${quotedPath(join(packageRoot, Object.values(bin)[0]))} lesson ${lesson}`;
}

/**
 * A path as one argument, quoted so that the learner's shell reads it whole. Double quotes work
 * in bash, zsh, PowerShell and cmd alike (cmd knows no other quotes), and a Windows path holds no
 * `"`. Elsewhere, a path with a character that double quotes leave special in bash or PowerShell
 * (`$`, a backquote, `"`, `\`, `!`) is single-quoted, as POSIX shells read it.
 */
export function quotedPath(path: string, platform: NodeJS.Platform = process.platform): string {
  if (/^[\w./@:-]+$/.test(path)) return path;
  if (platform === 'win32' || !/[$`"\\!]/.test(path)) return `"${path}"`;
  return `'${path.replaceAll("'", "'\\''")}'`;
}

/** A verdict on whether a request got a successful answer (2xx). */
export function answered(label: string, hop: Hop | undefined): Verdict {
  const ok = hop !== undefined && hop.status >= 200 && hop.status < 300;
  return {
    label,
    outcome: ok ? 'answered' : hop ? `answered ${hop.status}` : 'no answer',
    expected: 'answered',
    evidence: hop ? `${hop.status} ${hop.keyLine}` : 'no response',
  };
}

/** A form of a page as a browser would submit it without typing: where to, and its hidden fields. */
export interface PageForm {
  method: string;
  /** Absolute: the form's action resolved against the page's address. */
  action: string;
  hidden: Record<string, string>;
}

/** Every form of the page a hop answered with, in order. */
export function formsOf(hop: Hop | undefined): PageForm[] {
  if (!hop) return [];
  const attribute = (tag: string, name: string) =>
    tag
      .match(new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i'))
      ?.slice(1)
      .find((v) => v !== undefined);
  return [...pageOf(hop).matchAll(/<form\b[^>]*>[\s\S]*?(?:<\/form>|$)/gi)].map(([form]) => {
    const tag = form.match(/<form\b[^>]*>/i)?.[0] ?? '';
    const hidden: Record<string, string> = {};
    for (const [input] of form.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input, 'name');
      if (attribute(input, 'type')?.toLowerCase() === 'hidden' && name !== undefined) {
        hidden[name] = unescapeHtml(attribute(input, 'value') ?? '');
      }
    }
    let action: string;
    try {
      action = new URL(unescapeHtml(attribute(tag, 'action') ?? ''), hop.url).href;
    } catch {
      action = hop.url;
    }
    return { method: (attribute(tag, 'method') ?? 'get').toLowerCase(), action, hidden };
  });
}

/**
 * The hidden fields of every form of a page (such as lesson 12's CSRF token): what a browser
 * sends along when the learner submits one of its forms.
 */
export function hiddenFields(hop: Hop | undefined): Record<string, string> {
  return Object.assign({}, ...formsOf(hop).map((form) => form.hidden));
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_all, entity: string) => {
    const chars: Record<string, string> = {
      amp: '&',
      lt: '<',
      gt: '>',
      quot: '"',
      '#39': "'",
      '#x27': "'",
    };
    return chars[entity];
  });
}
