// Words on screen: `wc -w` of the unattended course at 100 columns, per lesson and in all, against
// the course's word budgets. Run alone with `node bench/words.js`, or as part of `npm run bench`.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, root, timeProcess, tutorEnv } from './lib.js';

const budgets = { firstSix: 2800, all: 7000 };

const wc = (text) => Number(execFileSync('wc', ['-w'], { input: text, encoding: 'utf8' }).trim());

const fits = (words, budget) => (words <= budget ? 'met' : 'MISSED');

export async function words() {
  // --port 0: a busy port 3000 would add a note to the output, and words to the count
  const args = [cli, 'start', '--yes', '--no-color', '--port', '0'];
  const { output } = await timeProcess(process.execPath, args, {
    env: { ...tutorEnv(), COLUMNS: '100' },
    timeoutMs: 180_000,
    exitCodes: [0, 1],
  });
  const headers = [...output.matchAll(/^Lesson (\d+) of \d+ · (.*?) {3}/gm)];
  const summaryAt = output.search(/^Summary\b/m);
  const lessons = headers.map((match, i) => {
    const end = headers[i + 1]?.index ?? (summaryAt >= 0 ? summaryAt : output.length);
    return { number: Number(match[1]), title: match[2], words: wc(output.slice(match.index, end)) };
  });
  // what `list` estimates its reading times from (the build copies it into dist/reading-words.json)
  const names = readdirSync(join(root, 'lessons'))
    .filter((d) => /^\d\d-/.test(d))
    .sort();
  const onScreen = Object.fromEntries(lessons.map((l) => [names[l.number - 1], l.words]));
  writeFileSync(
    join(root, 'bench', 'words-on-screen.json'),
    `${JSON.stringify(onScreen, null, 2)}\n`,
  );
  const firstSix = lessons.filter((l) => l.number <= 6).reduce((sum, l) => sum + l.words, 0);
  const all = wc(output);
  return {
    title: 'Words on screen',
    header: ['`start --yes --no-color`, 100 columns', 'words', 'budget', ''],
    rows: [
      ...lessons.map((l) => [`lesson ${l.number}: ${l.title}`, l.words, '', '']),
      ['**lessons 1–6**', firstSix, `≤ ${budgets.firstSix}`, fits(firstSix, budgets.firstSix)],
      ['**all lessons**, with the summary', all, `≤ ${budgets.all}`, fits(all, budgets.all)],
    ],
    firstSix,
    all,
    budgets,
    notes: [
      '`wc -w` of the output of `COLUMNS=100 session-tutor start --yes --no-color --port 0`, one run with a fresh tutor home. A lesson counts from its header to the next header; the summary counts in the total only.',
      'The count is what a learner reads unattended: lesson text, the change to each stage’s code, and the demos’ diagrams and verdicts.',
      'Each lesson’s count is kept in bench/words-on-screen.json, from which `list` estimates its reading times.',
    ],
  };
}

// run alone: print the table
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { table } = await import('./lib.js');
  const section = await words();
  process.stdout.write(`## ${section.title}\n\n${table(section.header, section.rows)}\n\n`);
  for (const note of section.notes) process.stdout.write(`- ${note}\n`);
}
