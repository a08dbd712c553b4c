import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Hop } from '../probe/hop.js';
import { pageOf } from '../probe/html.js';
import { rememberedVerdict } from '../probe/verdict.js';
import type { Visitor } from '../probe/visitor.js';
import { describeStore, type StoreChoice } from '../stage/stores/choose.js';
import { hasNodeSqlite, sqliteSince } from '../stage/stores/sqlite.js';
import { demoFolder } from './demo-folder.js';
import { lessonOnNode24, notRun } from './not-run.js';
import { startStageProcess } from './stage-process.js';
import type { DemoContext, Verdict } from './types.js';

// A real restart: stage 9 runs in its own process, which is stopped and started again.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  // both processes of a restart must sign cookies with the same secret, as a real deployment does
  const secret = randomBytes(32).toString('hex');
  const ada = ctx.visitor('Ada (cookie jar)', 'jar');
  const memory = await restart(ctx, ada, 'Ada', { kind: 'memory' }, secret, 'forgotten');
  const dates =
    memory.greeting &&
    pageOf(memory.greeting)
      .text()
      .match(/Your session began at [^\n]*/)?.[0];
  const verdicts: Verdict[] = [
    {
      label: 'the greeting',
      outcome: dates ? 'dates the session and the server' : 'no dates',
      expected: 'dates the session and the server',
      evidence: dates ?? `GET / answered ${memory.greeting?.keyLine ?? 'nothing'}`,
    },
    memory.verdict,
  ];
  const warning = memory.stderr.match(
    /Warning: connect\.session\(\) MemoryStore[\s\S]*?process\./,
  )?.[0];
  verdicts.push({
    label: "express-session's warning (NODE_ENV=production)",
    outcome: warning ? 'warns about MemoryStore' : 'no warning',
    expected: 'warns about MemoryStore',
    evidence: warning
      ? warning.replace(/\s+/g, ' ').trim()
      : 'stderr said nothing about MemoryStore',
  });

  // the store the learner chose with --store, when it outlives a process; else a SQLite file
  const chosen = ctx.storeChoice.kind === 'memory' ? undefined : ctx.storeChoice;
  const label = `Grace, after a restart, --store ${chosen?.kind ?? 'sqlite'}`;
  if (!chosen && !hasNodeSqlite()) {
    // a half that did not run gets no outcome: nothing was observed to judge
    const why = `node:sqlite needs Node ${sqliteSince} or newer, and this is Node ${process.versions.node}`;
    const command = lessonOnNode24(ctx.stage.number);
    verdicts.push(notRun(label, why, command));
    return verdicts;
  }
  const store = chosen ?? { kind: 'sqlite', file: join(demoFolder(ctx, 9), 'sessions.sqlite') };
  const grace = ctx.visitor('Grace (cookie jar)', 'jar');
  const kept = await restart(ctx, grace, 'Grace', store, secret, 'remembered');
  verdicts.push({ ...kept.verdict, label });
  return verdicts;
}

/** Tell the name to one server process, stop it, start another on the same port, come back. */
async function restart(
  ctx: DemoContext,
  visitor: Visitor,
  name: string,
  store: StoreChoice,
  secret: string,
  expected: 'remembered' | 'forgotten',
): Promise<{ verdict: Verdict; stderr: string; greeting?: Hop }> {
  // production mode, as a deployed server runs: express-session then warns about MemoryStore
  const env = { NODE_ENV: 'production' };
  const before = ctx.own(await startStageProcess(ctx.stage.number, { store, secret, env }));
  const posted = await visitor.post(`${before.probeUrl}/setName`, { name });
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: posted });
  await before.stop();
  const after = ctx.own(
    await startStageProcess(ctx.stage.number, {
      store,
      secret,
      env,
      port: before.port,
    }),
  );
  ctx.show({
    kind: 'say',
    text: `Sessions in ${describeStore(store)}: process ${before.pid} stopped, process ${after.pid} now serves port ${before.port}.`,
  });
  const again = await visitor.get(`${after.probeUrl}/`);
  ctx.show({ kind: 'hops', visitor: visitor.label, hops: again });
  return {
    verdict: rememberedVerdict(
      `${name}, after a restart, --store ${store.kind}`,
      again.at(-1),
      name,
      expected,
    ),
    stderr: before.stderr(),
    greeting: posted.at(-1),
  };
}
