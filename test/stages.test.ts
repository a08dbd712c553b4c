import { describe, expect, it } from 'vitest';
import { storedSessions } from '../src/course/stored.js';
import { explainCookie, splitSignedId, tamperSignature } from '../src/probe/cookies.js';
import { greets } from '../src/probe/verdict.js';
import { withStage, withVisitors } from './helpers.js';

describe('stage 1: the goldfish', () => {
  it('answers every request the same way and sets no cookie', async () => {
    await withStage(1, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [first] = await visitor.get(`${stage.probeUrl}/`);
        const [second] = await visitor.get(`${stage.probeUrl}/`);
        expect(first.status).toBe(200);
        expect(first.body).toBe(
          'Hello from Express!\n<meta name="viewport" content="width=device-width">',
        );
        expect(second.body).toBe(first.body);
        expect(first.setCookie).toEqual([]);
        expect(second.cookieSent).toBeUndefined();
      }),
    );
  });
});

describe('stage 2: sessions need a secret', () => {
  it('sends no cookie while nothing is stored (saveUninitialized: false)', async () => {
    await withStage(2, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const hops = [
          ...(await visitor.get(`${stage.probeUrl}/`)),
          ...(await visitor.get(`${stage.probeUrl}/`)),
        ];
        expect(hops.map((h) => h.status)).toEqual([200, 200]);
        expect(hops.flatMap((h) => h.setCookie)).toEqual([]);
        expect(await storedSessions(stage.store)).toEqual([]);
      }),
    );
  });
});

describe('stage 3: a form', () => {
  it('serves a form that posts a name field to setName, which answers 404 for now', async () => {
    await withStage(3, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [form] = await visitor.get(`${stage.probeUrl}/`);
        expect(form.status).toBe(200);
        expect(form.body).toMatch(/<form method="post" action="setName">/);
        expect(form.body).toMatch(/<input[^>]*name="name"/);
        const [posted] = await visitor.post(`${stage.probeUrl}/setName`, { name: 'Ada' });
        expect(posted.status).toBe(404);
        expect(posted.body).toContain('POST /setName');
      }),
    );
  });
});

describe('stage 4: store the name', () => {
  it('stores the name on the server and sends only a signed session ID in the cookie', async () => {
    await withStage(4, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [posted] = await visitor.post(
          `${stage.probeUrl}/setName`,
          { name: 'Ada' },
          { follow: false },
        );
        expect(posted.status).toBe(302);
        expect(posted.location).toBe('/');
        expect(posted.setCookie).toHaveLength(1);
        expect(posted.setCookie[0]).toMatch(/^connect\.sid=s%3A[^.;]+\.[^;]+; Path=\/; HttpOnly$/);
        expect(posted.setCookie[0]).not.toContain('Ada');

        const cookie = explainCookie(posted.setCookie[0]);
        expect(cookie?.kind).toBe('signed-session-id');
        expect(cookie?.lifetime).toBeUndefined();
        const stored = await storedSessions(stage.store);
        expect(stored).toEqual([{ id: cookie?.sessionId, data: { myName: 'Ada' } }]);
      }),
    );
  });

  it('treats a visitor whose cookie signature was tampered with as new', async () => {
    await withStage(4, (stage) =>
      withVisitors(['jar', 'jar'], async (ada, mallory) => {
        const [posted] = await ada.post(
          `${stage.probeUrl}/setName`,
          { name: 'Ada' },
          { follow: false },
        );
        const original = splitSignedId(posted.setCookie[0].split(';')[0].split('=')[1]);
        const forged = tamperSignature(posted.setCookie[0].split(';')[0]);
        const [tampered] = await mallory.post(
          `${stage.probeUrl}/setName`,
          { name: 'Mallory' },
          { cookie: forged, follow: false },
        );
        const fresh = explainCookie(tampered.setCookie[0]);
        expect(fresh?.sessionId).toBeDefined();
        expect(fresh?.sessionId).not.toBe(original?.id);
        const stored = await storedSessions(stage.store);
        expect(stored.find((s) => s.id === original?.id)?.data).toEqual({ myName: 'Ada' });
      }),
    );
  });

  it('answers a blank name with 400 and a page that says what was wrong', async () => {
    await withStage(4, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [hop] = await visitor.post(`${stage.probeUrl}/setName`, { name: '   ' });
        expect(hop.status).toBe(400);
        expect(hop.body).toContain('The name is empty');
        expect(hop.setCookie).toEqual([]);
      }),
    );
  });
});

describe.each([4, 5, 6])('stage %i with the probe', (number) => {
  it('forgets the goldfish, who never sends the cookie back', async () => {
    await withStage(number, (stage) =>
      withVisitors(['goldfish'], async (goldfish) => {
        const posted = await goldfish.post(`${stage.probeUrl}/setName`, { name: 'Ada' });
        expect(posted[0].setCookie).toHaveLength(1);
        const [back] = await goldfish.get(`${stage.probeUrl}/`);
        expect(back.cookieSent).toBeUndefined();
        expect(greets(back, 'Ada')).toBe(false);
      }),
    );
  });
});

describe.each([5, 6])('stage %i: remember me', (number) => {
  it('remembers a visitor with a cookie jar on every later visit', async () => {
    await withStage(number, (stage) =>
      withVisitors(['jar'], async (grace) => {
        const posted = await grace.post(`${stage.probeUrl}/setName`, { name: 'Grace' });
        expect(posted.map((h) => h.status)).toEqual([302, 200]);
        expect(greets(posted[1], 'Grace')).toBe(true);
        for (let visit = 0; visit < 3; visit++) {
          const [back] = await grace.get(`${stage.probeUrl}/`);
          expect(back.cookieSent).toMatch(/^connect\.sid=s%3A/);
          expect(greets(back, 'Grace')).toBe(true);
        }
      }),
    );
  });

  it('gives two visitors at once each their own name', async () => {
    await withStage(number, (stage) =>
      withVisitors(['jar', 'jar'], async (grace, linus) => {
        await Promise.all([
          grace.post(`${stage.probeUrl}/setName`, { name: 'Grace' }),
          linus.post(`${stage.probeUrl}/setName`, { name: 'Linus' }),
        ]);
        const [[g], [l]] = await Promise.all([
          grace.get(`${stage.probeUrl}/`),
          linus.get(`${stage.probeUrl}/`),
        ]);
        expect(greets(g, 'Grace')).toBe(true);
        expect(greets(l, 'Linus')).toBe(true);
        expect(await storedSessions(stage.store)).toHaveLength(2);
      }),
    );
  });

  it('escapes the name in the page, so markup in it is shown and not run', async () => {
    await withStage(number, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const hops = await visitor.post(`${stage.probeUrl}/setName`, {
          name: '<script>alert(1)</script>',
        });
        const page = hops.at(-1)?.body ?? '';
        expect(page).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>');
        expect(page).not.toContain('<script>alert(1)');
      }),
    );
  });
});

describe('stage 6: why the preview window forgets', () => {
  it('forgets a visitor that receives the cookie but never returns it', async () => {
    await withStage(6, (stage) =>
      withVisitors(['receive-only'], async (preview) => {
        const posted = await preview.post(`${stage.probeUrl}/setName`, { name: 'Ada' });
        expect(posted[0].setCookie).toHaveLength(1);
        expect(posted[1].cookieSent).toBeUndefined();
        expect(greets(posted[1], 'Ada')).toBe(false);
      }),
    );
  });

  it('serves /embedded framing the app from the other loopback site', async () => {
    await withStage(6, (stage) =>
      withVisitors(['jar'], async (visitor) => {
        const [page] = await visitor.get(`${stage.probeUrl}/embedded`);
        expect(page.status).toBe(200);
        expect(page.body).toContain(`<iframe src="http://localhost:${stage.port}/"`);
        const [fromLocalhost] = await visitor.get(`${stage.probeUrl}/embedded`, {
          headers: { host: `localhost:${stage.port}` },
        });
        expect(fromLocalhost.body).toContain(`<iframe src="http://127.0.0.1:${stage.port}/"`);
        // three panels on one screen: the page says which one is its own
        expect(page.body.split('<aside class="server-sees"')).toHaveLength(2);
        expect(page.body).toContain(
          'the one at the bottom of this page is about this page’s own request, from your tab',
        );
      }),
    );
  });

  it('serves /partitioned/ with a SameSite=None; Secure; Partitioned cookie, on loopback only', async () => {
    await withStage(6, (stage) =>
      withVisitors(['jar', 'jar'], async (framed, elsewhere) => {
        const [page] = await framed.get(`${stage.probeUrl}/embedded`);
        expect(page.body).toContain(`<iframe src="http://localhost:${stage.port}/partitioned/"`);
        const posted = await framed.post(`${stage.probeUrl}/partitioned/setName`, { name: 'Ada' });
        expect(posted[0].location).toBe('./');
        expect(posted[0].setCookie[0]).toMatch(
          /^partitioned\.sid=[^;]+; Path=\/partitioned\/; HttpOnly; Secure; Partitioned; SameSite=None$/,
        );
        expect(greets(posted[1], 'Ada')).toBe(true);
        // the app at / keeps lesson 5's cookie
        const plain = await framed.post(`${stage.probeUrl}/setName`, { name: 'Grace' });
        expect(plain[0].setCookie[0]).toMatch(/; Path=\/; HttpOnly$/);
        // asked for by a name that is not loopback, the request is plain http to a browser too:
        // express-session will not send a Secure cookie over it
        const [remote] = await elsewhere.post(
          `${stage.probeUrl}/partitioned/setName`,
          { name: 'Linus' },
          { headers: { host: `example.com:${stage.port}` } },
        );
        expect(remote.status).toBe(302);
        expect(remote.setCookie).toEqual([]);
      }),
    );
  });
});

describe('stages 7 to 11 keep stage 6’s partitioned copy', () => {
  it.each([7, 8, 9, 10, 11])(
    'stage %i answers /partitioned/ with the cookie made for frames',
    async (n) => {
      await withStage(n, (stage) =>
        withVisitors(['jar'], async (framed) => {
          const posted = await framed.post(`${stage.probeUrl}/partitioned/setName`, {
            name: 'Ada',
          });
          expect(posted[0].setCookie[0]).toMatch(
            /^partitioned\.sid=[^;]+; Path=\/partitioned\/; HttpOnly; Secure; Partitioned; SameSite=None$/,
          );
          expect(greets(posted.at(-1), 'Ada')).toBe(true);
          // and the app at / keeps its own cookie, untouched by the copy's
          const plain = await framed.post(`${stage.probeUrl}/setName`, { name: 'Grace' });
          expect(plain[0].setCookie[0]).toMatch(/^connect\.sid=/);
          expect(plain[0].setCookie[0]).not.toContain('Partitioned');
        }),
      );
    },
  );
});
