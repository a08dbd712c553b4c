import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Hop } from '../probe/hop.js';
import { greets } from '../probe/verdict.js';
import { startRoundRobin } from '../server/round-robin.js';
import { describeStore, type StoreChoice } from '../stage/stores/choose.js';
import { hasNodeSqlite, sqliteSince } from '../stage/stores/sqlite.js';
import { demoFolder } from './demo-folder.js';
import { lessonOnNode24, notRun } from './not-run.js';
import { startStageProcess } from './stage-process.js';
import type { DemoContext, Verdict } from './types.js';

const rememberedByOne = 'remembered by one process, forgotten by the other';
const rememberedByBoth = 'remembered by both processes';

// Two stage 10 processes behind a round-robin proxy: requests alternate between them.
export async function demo(ctx: DemoContext): Promise<Verdict[]> {
  const verdicts = [await twoServers(ctx, 'Ada', { kind: 'memory' }, 'a memory store each')];
  const shared = sharedStore(ctx);
  if ('notRun' in shared) {
    // a half that did not run gets no outcome: nothing was observed to judge
    const command = lessonOnNode24(ctx.stage.number);
    verdicts.push(notRun('Grace, one shared store', `it needs ${shared.notRun}`, command));
    return verdicts;
  }
  verdicts.push(
    await twoServers(ctx, 'Grace', shared.store, `one shared store (${shared.store.kind})`),
  );
  return verdicts;
}

/** The learner's Redis if they chose one, else a fresh SQLite file when this Node has node:sqlite. */
function sharedStore(ctx: DemoContext): { store: StoreChoice } | { notRun: string } {
  if (ctx.storeChoice.kind === 'redis') return { store: ctx.storeChoice };
  if (!hasNodeSqlite()) {
    return {
      notRun: `--store redis://HOST:PORT, or node:sqlite (Node ${sqliteSince} or newer; this is Node ${process.versions.node})`,
    };
  }
  const dir = demoFolder(ctx, 10);
  return { store: { kind: 'sqlite', file: join(dir, 'sessions.sqlite') } };
}

async function twoServers(
  ctx: DemoContext,
  name: string,
  store: StoreChoice,
  label: string,
): Promise<Verdict> {
  // processes that share sessions must also share the secret that signs the cookies
  const secret = randomBytes(32).toString('hex');
  const servers = [
    ctx.own(await startStageProcess(ctx.stage.number, { store, secret })),
    ctx.own(await startStageProcess(ctx.stage.number, { store, secret })),
  ];
  const proxy = ctx.own(await startRoundRobin(servers));
  ctx.show({
    kind: 'say',
    text: `Processes ${servers.map((s) => s.pid).join(' and ')}: ${store.kind === 'memory' ? 'a memory store each' : `one store, ${describeStore(store)}`}.`,
  });
  const visitor = ctx.visitor(`${name} (cookie jar)`, 'jar');
  const hops: Hop[] = await visitor.post(`${proxy.probeUrl}/setName`, { name });
  for (let i = 0; i < 3; i++) hops.push(...(await visitor.get(`${proxy.probeUrl}/`)));
  ctx.show({ kind: 'hops', visitor: visitor.label, hops, servedBy: true });

  // every page after the first POST: which process answered, and did it know the name?
  const pages = hops.filter((hop) => hop.method === 'GET');
  const byProcess = new Map<string, boolean[]>();
  for (const hop of pages) {
    const process = hop.servedBy ?? 'unknown';
    byProcess.set(process, [...(byProcess.get(process) ?? []), greets(hop, name)]);
  }
  const knew = [...byProcess.values()].map((seen) => seen.every(Boolean));
  const outcome =
    byProcess.size < 2
      ? `answered by ${byProcess.size} process only`
      : knew.every(Boolean)
        ? rememberedByBoth
        : knew.some(Boolean)
          ? rememberedByOne
          : 'forgotten by both';
  return {
    label: `${name}, ${label}`,
    outcome,
    expected: store.kind === 'memory' ? rememberedByOne : rememberedByBoth,
    evidence: pages
      .map((hop) => `${hop.servedBy ?? '?'}: ${greets(hop, name) ? name : 'stranger'}`)
      .join(', '),
  };
}
