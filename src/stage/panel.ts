import type { Request, RequestHandler } from 'express';
import type { CookieOptions } from 'express-session';
import { escapeHtml } from './pages.js';

/**
 * For learning only: under every page the app sends, a panel with what this request told the
 * server: the Cookie header it carried, the session that header led to, the data stored there,
 * and whether the visitor is new or returning. A real app would never print this.
 */
export const whatTheServerSees: RequestHandler = (req, res, next) => {
  // Decided before the route runs: express-session keeps the session ID from a cookie only when
  // the signature holds and the store still has that session; otherwise it makes up a new ID.
  const returning =
    req.sessionID !== undefined && req.headers.cookie?.includes(`${req.sessionID}.`) === true;
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    if (typeof body === 'string' && body.includes('</body>')) {
      const at = body.lastIndexOf('</body>');
      return send(`${body.slice(0, at)}${panel(req, returning)}\n${body.slice(at)}`);
    }
    return send(body);
  };
  next();
};

/**
 * Only for a page shown in a frame (the browser says so in Sec-Fetch-Dest): the session cookie's
 * settings, which decide whether a browser keeps and sends it there.
 */
function framedRows(req: Request): [string, string][] {
  if (req.headers['sec-fetch-dest'] !== 'iframe') return [];
  // express-session's Cookie carries `partitioned`; its typings declare it on the options only
  const cookie = req.session?.cookie as (CookieOptions & { sameSite?: unknown }) | undefined;
  const settings = cookie
    ? [
        cookie.sameSite ? `SameSite=${cookie.sameSite}` : 'no SameSite',
        cookie.secure ? 'Secure' : '',
        cookie.partitioned ? 'Partitioned' : '',
      ].filter(Boolean)
    : [];
  const kept = cookie?.partitioned && cookie.sameSite === 'none' && cookie.secure;
  return [
    ['Shown in', 'a frame (the browser sent Sec-Fetch-Dest: iframe)'],
    [
      'Cookie settings',
      cookie === undefined
        ? 'no session here'
        : `${settings.join('; ')}: ${
            kept
              ? 'a browser keeps it for this frame, under the site in the address bar'
              : cookie.sameSite === 'none'
                ? 'a third-party cookie, kept only where the browser allows those'
                : `${cookie.sameSite ? '' : 'treated as Lax, so '}a browser neither keeps nor sends it in a frame from another site`
          }`,
    ],
  ];
}

function panel(req: Request, returning: boolean): string {
  const { cookie: _settings, ...data } = req.session ?? {};
  const stored = Object.entries(data);
  const kept = returning || stored.length > 0;
  const rows: [string, string][] = [
    ['Cookie header', escapeHtml(req.headers.cookie ?? 'none')],
    [
      'Session ID',
      kept && req.sessionID
        ? `${escapeHtml(req.sessionID.slice(0, 8))}…`
        : 'none kept: nothing is stored for this visitor',
    ],
    [
      'Data stored',
      stored.length === 0
        ? 'nothing'
        : escapeHtml(`{ ${stored.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')} }`),
    ],
    [
      'Visitor',
      returning
        ? '<span class="returning">returning: the cookie named a session in the store</span>'
        : `<span class="new">new: ${req.headers.cookie ? 'no trusted session ID in the cookie' : 'no cookie came with this request'}</span>`,
    ],
    ...framedRows(req),
  ];
  return `<aside class="server-sees" aria-labelledby="server-sees">
<h2 id="server-sees">What the server sees</h2>
<dl>
${rows.map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`).join('\n')}
</dl>
<p>Shown by session-tutor for learning; a real app keeps this to itself.</p>
</aside>`;
}
