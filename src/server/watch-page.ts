import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  changeExplanations,
  otherPartitionExplanation,
  rejectExplanations,
  sendingExplanations,
} from '../probe/cookie-rules.js';
import { escapeHtml, page } from '../stage/pages.js';
import type { Exchange } from './exchange.js';

/**
 * The live timeline at the proxy's reserved path: a page in the style of the stage pages, with
 * one small script that appends each exchange as the server sends it (server-sent events). The
 * HTML of each exchange is written here, escaped; the script only inserts it.
 */
export function livePage(res: ServerResponse): void {
  const body = `<h1>Cookies, live</h1>
<p>Every request through <code>session-tutor watch</code>, newest last, with what the browser does with each cookie.</p>
<div id="timeline" aria-live="polite"></div>
<script>
const timeline = document.getElementById('timeline');
new EventSource('events').onmessage = (event) => {
  timeline.insertAdjacentHTML('beforeend', JSON.parse(event.data));
};
</script>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(page('Cookies, live', body));
}

/** The event stream: every exchange so far, then each new one as it happens. */
export function liveEvents(
  req: IncomingMessage,
  res: ServerResponse,
  history: readonly Exchange[],
  listeners: Set<(exchange: Exchange) => void>,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  // the page's EventSource sees the stream open at once, before the first exchange
  res.flushHeaders();
  const send = (exchange: Exchange) =>
    res.write(`data: ${JSON.stringify(exchangeHtml(exchange))}\n\n`);
  for (const exchange of history) send(exchange);
  listeners.add(send);
  req.on('close', () => listeners.delete(send));
}

function exchangeHtml(exchange: Exchange): string {
  const items: string[] = [];
  if (exchange.cookieHeader)
    items.push(`<li>sent <code>Cookie: ${escapeHtml(exchange.cookieHeader)}</code></li>`);
  for (const v of exchange.sending.filter((s) => !s.sent)) {
    const why = v.withheld.map((r) => `${r}: ${sendingExplanations[r].sentence}`).join(' ');
    items.push(`<li>withheld <code>${escapeHtml(v.cookie.name)}</code>: ${escapeHtml(why)}</li>`);
  }
  for (const c of exchange.otherPartitions) {
    items.push(
      `<li>withheld <code>${escapeHtml(c.name)}</code>, in the partition of ${escapeHtml(c.partitionKey?.topLevelSite ?? '')}: ${escapeHtml(otherPartitionExplanation.sentence)}</li>`,
    );
  }
  for (const v of exchange.setCookies) {
    const reasons =
      v.verdict === 'rejected'
        ? v.rejected.map(
            (r) => `${r}: ${rejectExplanations[r].sentence} Fix: ${rejectExplanations[r].fix}`,
          )
        : v.changes.map((r) => `${r}: ${changeExplanations[r].sentence}`);
    items.push(
      `<li><strong>${v.verdict}</strong> <code>Set-Cookie: ${escapeHtml(v.line)}</code>${reasons.length ? `<br>${escapeHtml(reasons.join(' '))}` : ''}</li>`,
    );
  }
  for (const d of exchange.dropped)
    items.push(`<li>dropped <code>${escapeHtml(d.line)}</code>: ${escapeHtml(d.why)}</li>`);
  for (const a of exchange.advice)
    items.push(`<li>advice: ${escapeHtml(`${a.sentence} ${a.fix}`)}</li>`);
  if (exchange.problem) items.push(`<li class="problem">${escapeHtml(exchange.problem)}</li>`);
  const jar =
    exchange.jar
      .map(
        (c) =>
          `${c.name}=${c.value}${c.partitionKey ? ` [under ${c.partitionKey.topLevelSite}]` : ''}`,
      )
      .join('; ') || '(empty)';
  items.push(`<li>jar: <code>${escapeHtml(jar)}</code></li>`);
  return `<section><h2>${escapeHtml(`${exchange.method} ${exchange.url} → ${exchange.status ?? 'no answer'}`)}</h2><ul>${items.join('')}</ul></section>`;
}
