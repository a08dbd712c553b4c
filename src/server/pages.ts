import { readFileSync } from 'node:fs';
import escapeHtml from 'escape-html';
import { stageSourceDir } from '../paths.js';

export { escapeHtml };

const style = `
  body { font: 18px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem;
         color: #1d2433; background: #f7f7f2; }
  h1 { font-size: 2.4rem; margin: 0 0 1rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  input, button { font: inherit; padding: .4rem .7rem; border-radius: .4rem; border: 1px solid #98a2b3; }
  button { background: #1d4ed8; color: white; border-color: #1d4ed8; cursor: pointer; }
  .problem { border-left: 4px solid #b42318; padding-left: 1rem; }
  a { color: #1d4ed8; }`;

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
${body}
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

let form: string | undefined;

/** The name form that stages 3 and later serve at GET / (the learner edits form.html itself). */
export function formPage(): string {
  form ??= readFileSync(`${stageSourceDir}form.html`, 'utf8');
  return form;
}
