import { readFileSync } from 'node:fs';
import escapeHtml from 'escape-html';

export { escapeHtml };

const style = `
  :root { color-scheme: light; }
  body { font: 18px/1.5 system-ui, sans-serif; max-width: 38rem; margin: 0 auto; padding: clamp(1rem, 5vw, 3rem) 1rem;
         color: #1d2433; background: #f4f2ec; }
  main { background: #fff; border-radius: .8rem; padding: clamp(1rem, 4vw, 1.5rem) clamp(1rem, 5vw, 2rem);
         box-shadow: 0 1px 2px #0000000f, 0 6px 24px #00000012; }
  main > :last-child, .problem > :last-child { margin-bottom: 0; }
  h1 { font-size: 2.4rem; line-height: 1.15; margin: .2rem 0 1.2rem; overflow-wrap: anywhere; }
  label { flex-basis: 100%; font-weight: 600; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  input, button { font: inherit; padding: .45rem .8rem; border-radius: .45rem; border: 1px solid #98a2b3; }
  input { flex: 1 1 12rem; }
  input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid #93b4fd; outline-offset: 2px; }
  button { background: #1d4ed8; color: #fff; border-color: #1d4ed8; cursor: pointer; font-weight: 600; }
  button:hover { background: #1e40af; }
  a { color: #1d4ed8; }
  code, dd { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
  .problem { border-left: 4px solid #b42318; padding-left: 1rem; }
  .problem h1 { color: #b42318; }
  /* tall enough for the framed page and its panel */
  iframe { width: 100%; height: 36rem; border: 2px dashed #98a2b3; border-radius: .45rem; background: #f4f2ec; }
  body:has(.frames) { max-width: 76rem; }
  .frames { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1rem; }
  .frames h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
  .frames p { font-size: .9rem; margin: 0 0 .5rem; }
  .server-sees { margin-top: 1.5rem; padding: 1rem 1.25rem; border-radius: .8rem;
                 background: #1d2433; color: #e4e7ec; font-size: .9rem; }
  .server-sees h2 { font-size: .8rem; letter-spacing: .08em; text-transform: uppercase; color: #98a2b3;
                    margin: 0 0 .6rem; }
  .server-sees dl { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
  .server-sees dt { color: #98a2b3; }
  .server-sees dd { margin: 0; word-break: break-all; color: #fff; }
  .server-sees .returning { color: #6ce9a6; }
  .server-sees .new { color: #fec84b; }
  .server-sees p { margin: .8rem 0 0; color: #98a2b3; font-size: .8rem; }`;

/** Wraps a fragment of HTML in a small, self-contained page: inline CSS, no scripts, no requests. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
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
