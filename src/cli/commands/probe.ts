import chalk from 'chalk';
import { UserError } from '../../errors.js';
import { glyphs } from '../glyphs.js';
import { drawHops, explainCookieLines, fitLines, unmarked, verdictLine } from '../render.js';
import { pageWidth } from '../width.js';

// enough to show every cookie a session app sets; a flood of them is summed up in one line
const cookiesExplained = 10;

interface ProbeOptions {
  post: string;
  field: string[];
  json?: boolean;
}

/** `probe URL`: the goldfish-versus-jar demonstration against any server, cookies explained. */
export async function probe(target: string, options: ProbeOptions): Promise<void> {
  const url = httpUrl(target);
  samePlacePath(options.post, url);
  const fields: Record<string, string> = {};
  for (const field of options.field) {
    const at = field.indexOf('=');
    if (at < 1) {
      throw new UserError(`--field "${field}" is not name=VALUE: write it like --field name=Ada`);
    }
    fields[field.slice(0, at)] = field.slice(at + 1);
  }
  const { probeServer } = await import('../../probe/probe.js');
  const { ProbeError, briefHop } = await import('../../probe/hop.js');
  const write = (text: string) => process.stdout.write(text);
  // prose wraps at words to the terminal (the diagrams and verdicts are drawn to it already)
  const say = (text: string) => write(fitLines(text));
  const form = Object.keys(fields).length > 0 ? new URLSearchParams(fields).toString() : 'name=…';
  if (!options.json) {
    say(
      `${chalk.bold(`Probing ${url}`)}: GET it, POST ${options.post} with ${form}, then GET it again;\n` +
        'first as a goldfish that keeps no cookies, then as a browser with a cookie jar.\n\n',
    );
  }
  try {
    const report = await probeServer({ url, post: options.post, fields }, (visit) => {
      if (options.json) return;
      write(`${drawHops(visit.visitor, visit.hops, pageWidth())}\n`);
      if (visit.verdict) write(`${unmarked(verdictLine(visit.verdict))}\n\n`);
      if (visit.problem) say(`${chalk.red(glyphs.fail)} ${visit.problem}\n\n`);
    });
    // a verdict that failed, or a visit that could not finish (a redirect loop, a page too large),
    // is a problem to fix: exit 1, as check does
    const failed = report.visits.some(
      (visit) => visit.problem || visit.verdict?.outcome !== visit.verdict?.expected,
    );
    if (failed) process.exitCode = 1;
    if (options.json) {
      const visits = report.visits.map((visit) => ({ ...visit, hops: visit.hops.map(briefHop) }));
      write(`${JSON.stringify({ ...report, visits }, null, 2)}\n`);
      return;
    }
    if (report.cookies.length === 0) {
      write(chalk.dim('The server set no cookies.\n'));
      // a browser forgotten for want of any cookie: the likely causes, a Secure cookie over http
      // among them
      if (report.visits.some((v) => v.habit === 'jar' && v.verdict?.outcome === 'forgotten')) {
        const { noSetCookie } = await import('../../course/cookie-hints.js');
        const path = new URL(report.post).pathname;
        say(`${chalk.yellow('!')} ${noSetCookie('POST', new URL(report.url).origin, path)}\n`);
      }
    }
    for (const cookie of report.cookies.slice(0, cookiesExplained)) {
      write(`${explainCookieLines(cookie)}\n\n`);
    }
    if (report.cookies.length > cookiesExplained) {
      say(
        `${chalk.yellow('!')} The server set ${report.cookies.length} cookies; the first ${cookiesExplained} are explained above. ` +
          'A session needs one; browsers keep only about 180 per site, dropping the oldest.\n',
      );
    }
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    if (options.json) write(`${JSON.stringify({ url, error: err.message }, null, 2)}\n`);
    else say(`${chalk.red(glyphs.fail)} ${err.message}\n`);
    process.exitCode = 1;
  }
}

/** An http(s) address typed by the user, or a message saying how to write one. */
export function httpUrl(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new UserError(`"${text}" is not a web address: write it like http://localhost:3000`);
  }
  return url.href;
}

/** `--post` names a path on the server being probed: anything else would send the form elsewhere. */
function samePlacePath(post: string, url: string): void {
  let target: URL | undefined;
  try {
    target = post.trim() === '' ? undefined : new URL(post, url);
  } catch {
    target = undefined;
  }
  if (!target || target.origin !== new URL(url).origin) {
    throw new UserError(
      `--post "${post}" is not a path on ${new URL(url).origin}: write it like --post /setName`,
    );
  }
}
