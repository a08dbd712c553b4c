import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

// What a process leaves behind, read from /proc (Linux): the listeners it holds and the
// processes it started. The suite uses this to prove that every exit path cleans up.

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process ended while we looked
  }
}

/** Every process, read from /proc: none on Windows and macOS, where these checks cannot look. */
function allPids(): number[] {
  if (process.platform !== 'linux') return [];
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

function parentOf(pid: number): number | undefined {
  // the command name, in parentheses, may hold spaces: the fields after it are fixed
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[1] ? Number(fields[1]) : undefined;
}

/** Every living process started, directly or not, by `pid`. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of allPids()) {
    const parent = parentOf(p);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), p]);
  }
  const found: number[] = [];
  const queue = [...(children.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    found.push(p);
    queue.push(...(children.get(p) ?? []));
  }
  return found;
}

export function isAlive(pid: number): boolean {
  return readOrEmpty(`/proc/${pid}/stat`) !== '' && !/\) Z /.test(readOrEmpty(`/proc/${pid}/stat`));
}

/** Living processes whose environment holds `name=value`. */
export function processesWithEnv(name: string, value: string): number[] {
  const wanted = `${name}=${value}`;
  return allPids().filter(
    (pid) =>
      pid !== process.pid &&
      isAlive(pid) &&
      readOrEmpty(`/proc/${pid}/environ`).split('\0').includes(wanted),
  );
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
      if (match) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** TCP ports on which `pid` holds a listening socket. */
export function listeningPorts(pid: number): number[] {
  const inodes = socketInodes(pid);
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readOrEmpty(table).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // f[1] local address:port in hex, f[3] state (0A = LISTEN), f[9] inode
      if (f[3] === '0A' && inodes.has(f[9])) ports.push(Number.parseInt(f[1].split(':')[1], 16));
    }
  }
  return ports;
}

/** True when any process on this machine listens on `port` (whoever owns it). */
export function somebodyListensOn(port: number): boolean {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readOrEmpty(table).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && Number.parseInt(f[1]?.split(':')[1] ?? '', 16) === port) return true;
    }
  }
  return false;
}

/**
 * Closes the listening socket on `port` from outside the process that owns it, the way
 * `ss --kill` does (the kernel's SOCK_DESTROY). False when this system does not allow it.
 */
export function killListener(port: number): boolean {
  try {
    execFileSync('ss', ['--kill', 'state', 'listening', 'sport', '=', `:${port}`], {
      stdio: 'ignore',
    });
  } catch {
    return false;
  }
  return !somebodyListensOn(port);
}
