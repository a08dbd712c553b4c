import { STATUS_CODES } from 'node:http';
import { stripVTControlCharacters } from 'node:util';
import chalk from 'chalk';
import wrapAnsi from 'wrap-ansi';
import type { DemoStep, StoredSession, Verdict } from '../course/types.js';
import type { ExplainedCookie } from '../probe/cookies.js';
import type { Hop } from '../probe/hop.js';
import { glyphs } from './glyphs.js';
import { cut, displayWidth, pageWidth } from './width.js';

type Segment = [text: string, style?: (text: string) => string];

/**
 * Prose wrapped to `width` at spaces, counting display columns (wide characters take two); only
 * a word longer than a whole line (a cookie's value) is cut, so the terminal never cuts one.
 * Punctuation never starts a line on its own: one set apart by a space (`see this .`) is kept
 * on the line before, even a column past `width`.
 */
export function wrapText(text: string, width: number): string {
  return wrapAnsi(text, width, { trim: true, hard: true })
    .split('\n')
    .reduce<string[]>((lines, line) => {
      if (lines.length > 0 && lonePunctuation.test(stripVTControlCharacters(line)))
        lines[lines.length - 1] += ` ${line}`;
      else lines.push(line);
      return lines;
    }, [])
    .join('\n');
}

// A control sequence that stripVTControlCharacters removes, so it takes no columns wherever text
// is measured. It never reaches the terminal: the pager and `unmarked` take it out.
const commandMark = '\x1b]command\x07';

/**
 * Marks `line` as a command to copy: the pager never breaks it with a newline but lets the
 * terminal wrap it (src/cli/screen.ts), so the terminal copies it as one line.
 */
export function asCommand(line: string): string {
  return `${commandMark}${line}`;
}

/** Whether `line` was marked by `asCommand`, and the line without the mark. */
export function commandLine(line: string): { command: boolean; text: string } {
  return line.includes(commandMark)
    ? { command: true, text: unmarked(line) }
    : { command: false, text: line };
}

/** `text` as it is printed: command marks taken out (a command is one line in output anyway). */
export function unmarked(text: string): string {
  return text.replaceAll(commandMark, '');
}

/** That a lesson's expectations all pass, in words that fit their number: "The one expectation…". */
export function allPass(count: number, lesson: number): string {
  return count === 1
    ? `The one expectation of lesson ${lesson} passes`
    : `All ${count} expectations of lesson ${lesson} pass`;
}

/** How many of a lesson's expectations pass when not all do: "The one expectation… fails". */
export function somePass(passed: number, count: number, lesson: number): string {
  return count === 1
    ? `The one expectation of lesson ${lesson} fails`
    : `${passed} of ${count} expectations of lesson ${lesson} pass`;
}

const lonePunctuation = /^[.,;:!?)\]}»”’…]+$/;

/**
 * `text` wrapped to `width`, keeping each line's own leading spaces, and each line it wraps onto
 * indented by `indent` spaces, so it reads as the continuation it is.
 */
export function wrapIndented(text: string, width: number, indent: number): string {
  return text
    .split('\n')
    .map((line) => {
      const lead = line.length - line.trimStart().length;
      const words = stripVTControlCharacters(line).trim().split(/\s+/);
      if (words.some((word) => displayWidth(word) > width - indent)) {
        // a word that must be cut (a cookie's value) is cut once, at the narrower width: its
        // pieces are never wrapped again, which would set them apart with a space
        const rows = wrapText(line.trimStart(), width - Math.max(lead, indent)).split('\n');
        return rows.map((row, i) => `${' '.repeat(i === 0 ? lead : indent)}${row}`).join('\n');
      }
      const [first, ...rest] = wrapText(line.trimStart(), width - lead).split('\n');
      const more = wrapText(rest.join(' '), width - indent);
      const head = `${line.slice(0, lead)}${first}`;
      return more === '' ? head : `${head}\n${more.replace(/^/gm, ' '.repeat(indent))}`;
    })
    .join('\n');
}

/**
 * Lines of output made to fit `width`: a line that is too long wraps at words, its continuation
 * indented two columns past the line's own indentation; a line that fits stays as it is.
 */
export function fitLines(text: string, width = pageWidth()): string {
  return text
    .split('\n')
    .map((line) => {
      if (displayWidth(line) <= width) return line; // displayWidth skips colour codes
      const lead = line.length - line.trimStart().length;
      return wrapIndented(line, width, lead + 2);
    })
    .join('\n');
}

/** Draws one demo step as terminal lines. */
export function renderStep(step: DemoStep, width = pageWidth()): string {
  switch (step.kind) {
    case 'say':
      return wrapText(step.text, width);
    case 'hops':
      return drawHops(step.visitor, step.hops, width, step.servedBy);
    case 'cookie':
      return explainCookieLines(step.cookie, width);
    case 'store':
      return storeLines(step.entries, width);
    case 'verdict':
      return verdictLine(step.verdict, width);
    case 'wait':
      return waitLine(step.ms, step.why, width);
  }
}

/**
 * A small sequence diagram: the visitor on the left, the server on the right, an arrow for
 * each request and each response, labelled with the headers that matter.
 */
export function drawHops(visitor: string, hops: Hop[], width: number, servedBy = false): string {
  const inner = width - 2;
  const bar = chalk.dim('│');
  // Lays out labelled segments in `room` columns, cutting the last one that does not fit.
  const layout = (segments: Segment[], room: number): { text: string; used: number } => {
    let used = 0;
    let text = '';
    for (const [piece, style] of segments) {
      const left = room - used;
      if (left <= 0 || piece === '') continue;
      const shown = cut(piece, left);
      used += displayWidth(shown);
      text += style ? style(shown) : shown;
    }
    return { text, used };
  };
  const request = (segments: Segment[]) => {
    const { text, used } = layout(segments, inner - 4);
    return `${bar} ${text} ${chalk.dim(`${'─'.repeat(inner - used - 3)}${glyphs.arrowRight}`)}${bar}`;
  };
  const response = (segments: Segment[]) => {
    const { text, used } = layout(segments, inner - 4);
    return `${bar}${chalk.dim(`${glyphs.arrowLeft}${'─'.repeat(inner - used - 3)}`)} ${text} ${bar}`;
  };
  const note = (segments: Segment[]) => {
    const { text, used } = layout(segments, inner - 2);
    return `${bar} ${text}${' '.repeat(inner - used - 1)}${bar}`;
  };

  const name = cut(visitor, width - 7);
  const lines = [
    chalk.bold(name + ' '.repeat(width - 6 - displayWidth(name))) + chalk.bold('server'),
  ];
  for (const hop of hops) {
    const url = new URL(hop.url);
    lines.push(
      request([
        [`${hop.method} ${url.pathname}${url.search}`, chalk.bold],
        ['  Cookie: '],
        cookieSegment(hop.cookieSent),
      ]),
    );
    const body = hop.status >= 300 && hop.status < 400 ? '' : hop.keyLine;
    lines.push(
      response([
        [
          `${hop.status} ${STATUS_CODES[hop.status] ?? ''}`,
          hop.status < 400 ? chalk.green : chalk.red,
        ],
        [hop.location ? `  Location: ${hop.location}` : ''],
        [servedBy && hop.servedBy ? `  answered by ${hop.servedBy}` : '', chalk.magenta],
        [body ? `  ${body}` : '', chalk.italic],
      ]),
    );
    // a response without Set-Cookie gets no line: each cookie the server sets stands out
    for (const cookie of hop.setCookie)
      lines.push(note([['Set-Cookie: '], [cookie, chalk.yellow]]));
  }
  return lines.join('\n');
}

function cookieSegment(cookie: string | undefined): Segment {
  return cookie === undefined ? ['none', chalk.dim] : [cookie, chalk.cyan];
}

export function explainCookieLines(cookie: ExplainedCookie, width = pageWidth()): string {
  // a field's words line up after its name, on every line they take
  const field = (name: string, text: string) =>
    wrapIndented(`  ${name.padEnd(12)}${text}`, width, 14);
  const lines = [chalk.bold(`The cookie ${cookie.name}, taken apart:`)];
  if (cookie.kind === 'signed-session-id') {
    lines.push(
      field(
        'session ID',
        `${chalk.cyan(cookie.sessionId ?? '')}   which session on the server is yours`,
      ),
      field('signature', chalk.cyan(cookie.signature ?? '')),
      field('', 'the HMAC of the ID with the secret: proves the ID was not changed'),
    );
  } else if (cookie.kind === 'readable') {
    lines.push(
      field('value', chalk.cyan(cookie.value)),
      // the summary line below says what this means: anyone who holds the cookie can read it
      field('decoded', chalk.yellow(JSON.stringify(cookie.payload))),
    );
  } else {
    lines.push(field('value', chalk.cyan(cookie.value)));
  }
  const flags = [
    cookie.path ? `Path=${cookie.path}` : undefined,
    cookie.httpOnly ? 'HttpOnly (page scripts cannot read it)' : 'not HttpOnly',
    cookie.secure ? 'Secure' : undefined,
    cookie.sameSite ? `SameSite=${cookie.sameSite}` : undefined,
    cookie.lifetime ?? 'no Expires or Max-Age: it lasts until the browser closes',
  ].filter((flag) => flag !== undefined);
  lines.push(
    wrapIndented(`  ${flags.join(' · ')}`, width, 2),
    wrapIndented(`  → ${cookie.summary}`, width, 4),
  );
  return lines.join('\n');
}

export function storeLines(entries: StoredSession[], width = pageWidth()): string {
  const lines = [
    wrapText(chalk.bold("What the server's session store holds (session ID → data):"), width),
  ];
  if (entries.length === 0) lines.push(chalk.dim('  nothing'));
  for (const entry of entries)
    lines.push(wrapIndented(`  ${chalk.cyan(entry.id)} → ${JSON.stringify(entry.data)}`, width, 4));
  return lines.join('\n');
}

export function verdictLine(verdict: Verdict, width = pageWidth()): string {
  const held = verdict.outcome === verdict.expected;
  const unsafe = held && verdict.unsafe !== undefined;
  const mark = verdict.skipped
    ? chalk.yellow('–')
    : unsafe
      ? chalk.yellow(glyphs.warn)
      : held
        ? chalk.green(glyphs.pass)
        : chalk.red(glyphs.fail);
  const outcome = held
    ? `${chalk.bold(verdict.outcome)}${unsafe ? chalk.yellow(` (${verdict.unsafe})`) : ''}`
    : `${chalk.bold.red(verdict.outcome)}, but the lesson says ${chalk.bold(verdict.expected)}`;
  return [
    wrapIndented(`${mark} ${verdict.label}: ${outcome}`, width, 2),
    verdict.evidence
      .split('\n')
      // a command stays whole on its line, to be copied; the rest wraps at words
      .map((line) =>
        line.startsWith('npx ')
          ? asCommand(`  ${chalk.dim(line)}`)
          : chalk.dim(wrapText(line, width - 2)).replace(/^/gm, '  '),
      )
      .join('\n'),
  ].join('\n');
}

export function waitLine(ms: number, why: string, width = pageWidth()): string {
  return wrapIndented(chalk.dim(`… waiting ${Number((ms / 1000).toFixed(2))} s: ${why}`), width, 2);
}

/** Finds waitLine's lines in plain output: the benchmark counts a lesson's deliberate waits with it. */
export const waitPattern = /… waiting (\d+(?:\.\d+)?) s: /g;

/** A course progress bar such as `■■■□□□ 3 of 6 done` (`###... 3 of 6 done` in ASCII). */
export function progressBar(done: number, total: number): string {
  return `${chalk.green(glyphs.done.repeat(done))}${chalk.dim(glyphs.todo.repeat(total - done))} ${done} of ${total} done`;
}
