import { once } from 'node:events';
import { connect, createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findLesson } from '../src/course/catalog.js';
import { StageHost } from '../src/server/host.js';
import { PortReservedError, startStage } from '../src/server/start.js';
import { runCli, spawnCli, waitForOutput } from './helpers.js';

// Ports as Windows and macOS hand them out, simulated on Linux: a range the system reserves
// (EACCES, test/fixtures/shims/network.mjs), another program on [::1], a machine without IPv6.

const networkShim = new URL('./fixtures/shims/network.mjs', import.meta.url).href;
/** The range one Windows machine with Hyper-V reserved at boot: it holds 3000 and 3001. */
const reserved = { NODE_OPTIONS: `--import=${networkShim}`, SIMULATE_RESERVED_PORTS: '2919-3018' };

async function holdPort(host: string, port = 0): Promise<Server> {
  const server = createServer();
  server.listen({ port, host });
  await once(server, 'listening');
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

/** A port free on 127.0.0.1 that another program holds on [::1]. */
async function holdOnlyOnIpv6(): Promise<{ port: number; holder: Server }> {
  for (;;) {
    const holder = await holdPort('::1');
    const port = portOf(holder);
    const probe = createServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen({ port, host: '127.0.0.1' }, () => probe.close(() => resolve(true)));
    });
    if (free) return { port, holder };
    holder.close();
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a port the system reserves (EACCES above 1023) counts as busy', () => {
  it('lesson 12 completes with 2919-3018 reserved: the stage and the attack page move and say so', async () => {
    const run = await runCli(['lesson', '12', '--yes'], reserved, 120_000);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // the header wraps at words to the terminal: read it as one line
    const flat = run.stdout.replace(/\s+/g, ' ');
    expect(flat).toMatch(
      /Port 3000 is refused by the system \(EACCES\), so this run uses port \d+ instead/,
    );
    expect(flat).toMatch(
      /port 3001 is refused by the system \(EACCES\), so the attack page is at http:\/\/localhost:\d+\//,
    );
    expect(run.stdout).toMatch(/✔ +12 /);
  });

  it('a reserved port asked for is one sentence naming the way out, not an admin-rights error', async () => {
    const run = await runCli(['serve', '5', '--port', '3000'], reserved);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Port 3000 is refused by the system (EACCES)');
    expect(run.stderr).toContain('--port 0');
    expect(run.stderr).not.toMatch(/administrator|\bat \S+:\d+/);
  });

  it('serve without --port moves off a reserved 3000 to a free port and says so', async () => {
    const child = spawnCli(['serve', '5'], reserved);
    try {
      const [, port] = await waitForOutput(
        child,
        // wrapped at words to the terminal
        /Port\s+3000\s+is\s+refused\s+by\s+the\s+system\s+\(EACCES\),\s+so\s+this\s+run\s+uses\s+port\s+(\d+)\s+instead\./,
      );
      expect(await answers('127.0.0.1', Number(port))).toBe(true);
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    }
  });

  it('on Windows names the command that lists the reserved ranges', () => {
    const err = new PortReservedError(3000, '127.0.0.1', 'win32');
    expect(err.message).toBe(
      'Port 3000 is reserved by Windows (`netsh interface ipv4 show excludedportrange protocol=tcp` lists the reserved ranges). Pick another with --port, or --port 0 for any free port.',
    );
  });
});

describe('where the tutor announces localhost, it answers on [::1] too', () => {
  it('a program on [::1]:PORT makes the tutor move to a free port and say so', async () => {
    const { port, holder } = await holdOnlyOnIpv6();
    const host = new StageHost({ port, portAskedFor: false, host: '127.0.0.1', secret: 's' });
    try {
      const { stage, note } = await host.switchTo(findLesson(1));
      expect(stage.port).not.toBe(port);
      expect(note).toBe(`Port ${port} is busy, so this run uses port ${stage.port} instead.`);
      expect(await answers('127.0.0.1', stage.port)).toBe(true);
      expect(await answers('::1', stage.port)).toBe(true);
    } finally {
      await host.stop();
      holder.close();
    }
  });

  it('a port asked for that is busy on [::1] is busy: the error names [::1]', async () => {
    const { port, holder } = await holdOnlyOnIpv6();
    try {
      const run = await runCli(['serve', '5', '--port', String(port)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(
        `Port ${port} is busy: another program is listening on [::1]:${port}.`,
      );
    } finally {
      holder.close();
    }
  });

  it("--host localhost listens on 127.0.0.1 and ::1, so the stages' 127.0.0.1 links work", async () => {
    const stage = await startStage(findLesson(6), { host: 'localhost', secret: 's' });
    try {
      expect(stage.url).toBe(`http://localhost:${stage.port}`);
      expect(await answers('127.0.0.1', stage.port)).toBe(true);
      expect(await answers('::1', stage.port)).toBe(true);
    } finally {
      await stage.stop();
    }
    expect(await answers('127.0.0.1', stage.port)).toBe(false);
    expect(await answers('::1', stage.port)).toBe(false);
  });

  it('runs on a machine without IPv6, on 127.0.0.1 alone', async () => {
    const run = await runCli(['lesson', '1', '--yes', '--port', '0'], {
      NODE_OPTIONS: `--import=${networkShim}`,
      SIMULATE_NO_IPV6: '1',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/✔ +1 /);
  });
});
