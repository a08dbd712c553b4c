import { explainCookie, tamperSignature } from '../probe/cookies.js';
import { storedSessions } from './kit.js';
import type { DemoContext, Verdict } from './types.js';

// Storing the name makes express-session create a session and send its ID in a
// signed cookie. The name itself stays on the server.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const ada = ctx.visitor('Ada (cookie jar)', 'jar');
  const posted = await ada.post(
    `${ctx.stage.probeUrl}/setName`,
    { name: 'Ada' },
    { follow: false },
  );
  ctx.show({ kind: 'hops', visitor: ada.label, hops: posted });

  const setCookie = posted[0].setCookie[0];
  const cookie = setCookie === undefined ? undefined : explainCookie(setCookie);
  if (cookie) ctx.show({ kind: 'cookie', cookie });
  const stored = await storedSessions(ctx.stage.store);
  ctx.show({ kind: 'store', entries: stored });

  const entry = stored.find((s) => s.id === cookie?.sessionId);
  const verdicts: Verdict[] = [
    {
      label: 'the cookie',
      outcome:
        cookie?.kind === 'signed-session-id' && !cookie.value.includes('Ada')
          ? 'a signed session ID, no name'
          : cookie
            ? 'something else'
            : 'no cookie',
      expected: 'a signed session ID, no name',
      evidence:
        setCookie === undefined ? 'no Set-Cookie' : `Set-Cookie: ${setCookie.split(';')[0]}`,
    },
    {
      label: "the server's store",
      outcome: entry?.data.myName === 'Ada' ? 'holds the name' : 'does not hold the name',
      expected: 'holds the name',
      evidence: entry
        ? `${entry.id} → ${JSON.stringify(entry.data)}`
        : 'no entry for that session ID',
    },
  ];

  // A forger changes one character of the signature and tries to join Ada's session.
  const mallory = ctx.visitor('Mallory (tampered cookie)', 'jar');
  const forged = tamperSignature(setCookie?.split(';')[0] ?? 'connect.sid=s%3Ax.y');
  const tampered = await mallory.post(
    `${ctx.stage.probeUrl}/setName`,
    { name: 'Mallory' },
    { cookie: forged, follow: false },
  );
  ctx.show({ kind: 'hops', visitor: mallory.label, hops: tampered });
  const newCookie =
    tampered[0].setCookie[0] === undefined ? undefined : explainCookie(tampered[0].setCookie[0]);
  const after = await storedSessions(ctx.stage.store);
  const adaStill = after.find((s) => s.id === cookie?.sessionId)?.data.myName === 'Ada';
  verdicts.push({
    label: 'a tampered signature',
    outcome:
      newCookie?.sessionId !== undefined && newCookie.sessionId !== cookie?.sessionId && adaStill
        ? 'treated as a new visitor'
        : 'accepted',
    expected: 'treated as a new visitor',
    evidence: newCookie
      ? `the server gave a fresh session ID (${newCookie.sessionId?.slice(0, 8)}…) and Ada's session still says Ada`
      : 'no new cookie was sent',
  });
  return verdicts;
}
