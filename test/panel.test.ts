import { describe, expect, it } from 'vitest';
import { withStage, withVisitors } from './helpers.js';

/** The text of the "What the server sees" panel, one `term: value` per line, tags removed. */
function panelOf(body: string): string | undefined {
  const panel = body.match(/<aside class="server-sees"[\s\S]*?<\/aside>/)?.[0];
  return panel
    ?.replace(/<\/dd>/g, '\n')
    .replace(/<\/dt>/g, ': ')
    .replace(/<[^>]+>/g, '');
}

describe('the "What the server sees" panel', () => {
  it('is not on stage 3, which has no session data to show', async () => {
    await withStage(3, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [form] = await visitor.get(`${stage.probeUrl}/`);
        expect(panelOf(form.body)).toBeUndefined();
      }),
    );
  });

  it('on stage 4 shows a new visitor with no cookie, then the stored name and a returning visitor', async () => {
    await withStage(4, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [first] = await visitor.get(`${stage.probeUrl}/`);
        expect(panelOf(first.body)).toContain('Cookie header: none');
        expect(panelOf(first.body)).toContain('Data stored: nothing');
        expect(panelOf(first.body)).toContain('new: no cookie came with this request');

        const hops = await visitor.post(`${stage.probeUrl}/setName`, { name: 'Ada' });
        const back = hops.at(-1);
        const sid = decodeURIComponent(back?.cookieSent ?? '').match(/s:([^.]+)\./)?.[1];
        expect(sid).toBeDefined();
        const seen = panelOf(back?.body ?? '');
        expect(seen).toContain(`Cookie header: ${back?.cookieSent}`);
        expect(seen).toContain(`Session ID: ${sid?.slice(0, 8)}…\n`);
        expect(seen).toContain('Data stored: { myName: &quot;Ada&quot; }');
        expect(seen).toContain('returning');
      }),
    );
  });

  it('treats a cookie the server does not trust as a new visitor', async () => {
    await withStage(5, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [page] = await visitor.get(`${stage.probeUrl}/`, {
          cookie: 'connect.sid=s%3Aforged.bad',
        });
        expect(panelOf(page.body)).toContain('new: no trusted session ID in the cookie');
        expect(panelOf(page.body)).toContain('Session ID: none kept');
      }),
    );
  });

  it('shows stored data as escaped text', async () => {
    await withStage(5, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const hops = await visitor.post(`${stage.probeUrl}/setName`, { name: '<b>x</b>' });
        const body = hops.at(-1)?.body ?? '';
        expect(body).not.toContain('<b>x</b>');
        expect(panelOf(body)).toContain('myName: &quot;&lt;b&gt;x&lt;/b&gt;&quot;');
      }),
    );
  });
});
