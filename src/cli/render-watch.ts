import chalk from 'chalk';
import {
  changeExplanations,
  otherPartitionExplanation,
  rejectExplanations,
  sameRuleAs,
  sendingExplanations,
} from '../probe/cookie-rules.js';
import type { Exchange } from '../server/exchange.js';
import { glyphs } from './glyphs.js';
import { wrapText } from './render.js';
import { cut } from './width.js';

/** What Chromium reported for one exchange, beside the model's verdicts (watch --browser). */
export interface BrowserReport {
  /** cookie line → the reasons Chromium gave for refusing it ([] means it stored it). */
  storage: Record<string, string[]>;
  /** cookie name → the reasons Chromium gave for not sending it ([] means it sent it). */
  sending: Record<string, string[]>;
}

/**
 * One exchange as terminal lines: the request with the Cookie header the browser sent and what
 * the model says it withheld, the response with a verdict for every Set-Cookie line, then the
 * jar and any advice. A redirect's next hop follows it, so a chain reads top to bottom.
 */
export function exchangeLines(exchange: Exchange, width: number, browser?: BrowserReport): string {
  const lines: string[] = [];
  const indent = (text: string, by = 4) =>
    wrapText(text, width - by)
      .split('\n')
      .map((line) => `${' '.repeat(by)}${line}`)
      .join('\n');
  const path = new URL(exchange.url);
  const context = exchange.fetch.topLevel ? 'top-level' : 'not top-level';
  const site = `${exchange.fetch.site}${exchange.fetch.guessed ? ' (guessed)' : ''}`;
  lines.push(
    `${chalk.bold(`${exchange.method} ${cut(path.host + path.pathname + path.search, width - 30)}`)} ${chalk.dim(`${site}, ${context}`)}`,
  );
  lines.push(
    `  ${chalk.cyan(glyphs.arrowRight)} Cookie: ${exchange.cookieHeader ? cut(exchange.cookieHeader, width - 12) : chalk.dim('(none)')}`,
  );
  for (const verdict of exchange.sending.filter((v) => !v.sent)) {
    const said = browser?.sending[verdict.cookie.name];
    lines.push(
      `    ${chalk.yellow('withheld')} ${verdict.cookie.name}: ${verdict.withheld.join(', ')}${chromiumSaid(said, verdict.withheld)}`,
    );
    for (const reason of verdict.withheld)
      lines.push(indent(chalk.dim(sendingExplanations[reason].sentence), 6));
  }
  for (const cookie of exchange.otherPartitions) {
    lines.push(
      `    ${chalk.yellow('withheld')} ${cookie.name}: in the partition of ${cookie.partitionKey?.topLevelSite}`,
    );
    lines.push(indent(chalk.dim(otherPartitionExplanation.sentence), 6));
  }
  for (const surprise of exchange.outsideModel) {
    lines.push(
      indent(
        surprise.sent
          ? `${chalk.magenta('?')} ${surprise.name} was sent, but the model never saw it set: set by a script, or before watch started.`
          : `${chalk.magenta('?')} ${surprise.name} was not sent, though the model expected it: something outside the model (third-party cookie blocking, a browser setting) held it back.`,
        4,
      ),
    );
  }
  if (exchange.problem) {
    lines.push(`  ${chalk.red(glyphs.fail)} ${exchange.problem}`);
    return lines.join('\n');
  }
  lines.push(
    `  ${chalk.cyan(glyphs.arrowLeft)} ${exchange.status}${exchange.location ? ` → ${exchange.location}` : ''}`,
  );
  for (const verdict of exchange.setCookies) {
    const mark =
      verdict.verdict === 'rejected'
        ? chalk.red(`${glyphs.fail} rejected`)
        : verdict.verdict === 'changed'
          ? chalk.yellow('~ changed ')
          : chalk.green(`${glyphs.pass} stored  `);
    const reasons = verdict.verdict === 'rejected' ? verdict.rejected : verdict.changes;
    const said = browser?.storage[verdict.line];
    lines.push(
      `    ${mark} ${cut(verdict.line, width - 18)}${chromiumSaid(said, verdict.rejected)}`,
    );
    for (const reason of verdict.rejected) {
      const e = rejectExplanations[reason];
      lines.push(
        indent(`${chalk.bold(reason)}, ${e.step}: ${e.sentence} ${chalk.dim(`Fix: ${e.fix}`)}`, 6),
      );
    }
    if (verdict.verdict !== 'rejected') {
      for (const reason of reasons) {
        lines.push(
          indent(
            chalk.dim(
              `${reason}: ${changeExplanations[reason as keyof typeof changeExplanations].sentence}`,
            ),
            6,
          ),
        );
      }
    }
  }
  for (const dropped of exchange.dropped) {
    lines.push(
      indent(`${chalk.red('dropped')} ${cut(dropped.line, width - 20)}: ${dropped.why}.`, 4),
    );
  }
  const jar = exchange.jar.map(
    (c) =>
      `${c.name}=${cut(c.value, 16)}${c.path !== '/' ? ` (${c.path})` : ''}${c.partitionKey ? ` [under ${c.partitionKey.topLevelSite}]` : ''}`,
  );
  lines.push(`  ${chalk.dim('jar:')} ${jar.length ? jar.join('; ') : chalk.dim('(empty)')}`);
  for (const advice of exchange.advice) {
    lines.push(indent(`${chalk.yellow('!')} ${advice.sentence} ${chalk.dim(advice.fix)}`, 2));
  }
  return lines.join('\n');
}

/** "Chromium said X; the model said Y", shown only when they differ or when Chromium spoke. */
function chromiumSaid(said: string[] | undefined, model: string[]): string {
  if (said === undefined) return '';
  const same = said.length === model.length && said.every((r) => model.includes(sameRuleAs(r)));
  const x = said.length ? said.join(', ') : 'nothing (kept or sent it)';
  return same
    ? chalk.dim(` [Chromium agrees${said.length ? `: ${x}` : ''}]`)
    : ` ${chalk.magenta(`[Chromium said ${x}; the model said ${model.join(', ') || 'nothing'}]`)}`;
}
