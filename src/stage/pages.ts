import { readFileSync } from 'node:fs';
import escapeHtml from 'escape-html';

export { escapeHtml };

// Sizes in rem and em follow the reader's default font size; colours meet WCAG 2.2 AA in both
// schemes (text 4.5:1, the field's border and the focus ring 3:1), as test/browser-a11y.test.ts checks.
const style = `
  :root { color-scheme: light dark; --page: #f4f2ec; --card: #fff; --text: #1d2433; --accent: #1d4ed8;
          --accent-hover: #1e40af; --on-accent: #fff; --line: #667085; --problem: #b42318; }
  @media (prefers-color-scheme: dark) {
    :root { --page: #0e1117; --card: #161b26; --text: #e4e7ec; --accent: #93b4fd; --accent-hover: #bfd2fe;
            --on-accent: #0b1220; --line: #8a94a6; --problem: #fda29b; }
  }
  /* a word breaks only where it would not fit on a line of its own */
  body { font: 1.125rem/1.5 system-ui, sans-serif; overflow-wrap: anywhere; max-width: 38rem; margin: 0 auto;
         padding: clamp(1rem, 5vw, 3rem) clamp(.5rem, 3vw, 1rem); color: var(--text); background: var(--page); }
  main { background: var(--card); border-radius: .8rem; padding: clamp(1rem, 4vw, 1.5rem) clamp(.75rem, 5vw, 2rem);
         box-shadow: 0 1px 2px #0000000f, 0 6px 24px #00000012; }
  main > :last-child, .problem > :last-child { margin-bottom: 0; }
  h1 { font-size: 2.4rem; line-height: 1.15; margin: .2rem 0 1.2rem; }
  label { flex-basis: 100%; font-weight: 600; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  input, button { font: inherit; padding: .45rem .8rem; border-radius: .45rem; border: 1px solid var(--line);
                  max-width: 100%; }
  input { flex: 1 1 12rem; min-width: 0; color: var(--text); background: var(--card); }
  input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
  button { background: var(--accent); color: var(--on-accent); border-color: var(--accent); cursor: pointer;
           font-weight: 600; }
  button:hover { background: var(--accent-hover); }
  a { color: var(--accent); }
  code, dd { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
  .problem { border-left: 4px solid var(--problem); padding-left: 1rem; }
  .problem h1 { color: var(--problem); }
  /* side by side only when each frame gets 30rem; tall enough for the framed page and its panel,
     which grows as the frame narrows */
  iframe { box-sizing: border-box; width: 100%; height: 50rem; border: 2px dashed var(--line); border-radius: .45rem;
           background: var(--page); }
  @media (max-width: 34em) { iframe { height: 64rem; } }
  body:has(.frames) { max-width: 76rem; }
  .frames { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 30rem), 1fr)); gap: 1rem; }
  .frames h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
  .frames p { font-size: .9rem; margin: 0 0 .5rem; }
  .server-sees { margin-top: 1.5rem; padding: 1rem clamp(.75rem, 4vw, 1.25rem); border-radius: .8rem;
                 background: #1d2433; color: #e4e7ec; font-size: .9rem; border: 1px solid #344054; }
  .server-sees h2 { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: #98a2b3;
                    margin: 0 0 .6rem; }
  .server-sees dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
  /* on a narrow screen or with large text, each value goes under its name */
  @media (max-width: 36em) { .server-sees dl { grid-template-columns: 1fr; gap: 0; }
                             .server-sees dd { margin-bottom: .4rem; } }
  .server-sees dt { color: #98a2b3; }
  .server-sees dd { margin: 0; color: #fff; }
  .server-sees .returning { color: #6ce9a6; }
  .server-sees .new { color: #fec84b; }
  .server-sees p { margin: .8rem 0 0; color: #98a2b3; font-size: .8rem; }`;

/**
 * Wraps a fragment of HTML in a small, self-contained page: inline CSS, no scripts, no requests
 * (the empty icon keeps the browser from asking for /favicon.ico).
 */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<style>${style}</style>
</head>
<body>
<main>
${body.trim()}
</main>
</body>
</html>
`;
}

/** A page that says, in one plain sentence, what went wrong, with a way back. */
export function problemPage(status: number, problem: string): string {
  return page(
    `${status}: ${problem}`,
    `<div class="problem"><h1>${status}</h1><p>${escapeHtml(problem)}</p></div>
<p><a href="/">Back to the start</a></p>`,
  );
}

/**
 * Stage 6's /embedded: the app framed twice from another site, as an editor's preview pane shows
 * it: with the ordinary session cookie, and with the partitioned one.
 */
export function embeddedPage(todays: string, partitioned: string): string {
  const frame = (url: string, title: string, cookie: string, outcome: string) =>
    `<section>
<h2>${title}</h2>
<p><code>${escapeHtml(url)}</code>, cookie <code>${cookie}</code>: ${outcome}</p>
<iframe src="${escapeHtml(url)}" title="${title}"></iframe>
</section>`;
  return page(
    'The app, embedded',
    `<h1>The app inside another site</h1>
<p>Both frames show the app from another site than this page. Tell each your name, then reload this page.</p>
<p>Each frame has its own “What the server sees” panel; the one at the bottom of this page is about this page’s own request, from your tab, not from a frame.</p>
<div class="frames">
${frame(todays, 'Today’s cookie', 'connect.sid', 'no SameSite, so the browser treats it as Lax and will not keep it in a frame from another site.')}
${frame(partitioned, 'A partitioned cookie', 'SameSite=None; Secure; Partitioned', 'kept for this frame, under the site in the address bar only.')}
</div>`,
  );
}

let form: string | undefined;

// Beside this file, in stages/: in src/stage/, in an ejected project, and in the bundle, whose
// chunks lie flat in dist/ and find the copy the build puts in dist/stages/ (scripts/build.js).
const formFile = new URL('./stages/form.html', import.meta.url);

/** The name form that stages 3 and later serve at GET / (the learner edits form.html itself). */
export function formPage(): string {
  form ??= page('What is your name?', readFileSync(formFile, 'utf8'));
  return form;
}
