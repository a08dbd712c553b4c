/**
 * Whether the terminal can draw ✔ ✘ ⚠ ▶ ◀ ■ □. SESSION_TUTOR_ASCII=1 says no, and =0 says yes,
 * whatever the rest. Otherwise, as the is-unicode-supported package decides
 * (github.com/sindresorhus/is-unicode-supported): on Windows, only the terminals known to draw
 * them (Windows Terminal, VS Code, ConEmu/cmder, JetBrains, xterm-like ones, and CI logs), not the
 * old console whose raster fonts lack them; elsewhere every terminal but the Linux kernel's own
 * console (TERM=linux). TERM=dumb, a terminal that promises nothing, gets ASCII everywhere.
 */
export function canDrawSymbols(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.SESSION_TUTOR_ASCII === '1') return false;
  if (env.SESSION_TUTOR_ASCII === '0') return true;
  if (env.TERM === 'dumb') return false;
  if (platform !== 'win32') return env.TERM !== 'linux';
  return (
    Boolean(env.CI) ||
    Boolean(env.WT_SESSION) ||
    env.ConEmuTask === '{cmd::Cmder}' ||
    env.TERM_PROGRAM === 'vscode' ||
    env.TERM === 'xterm-256color' ||
    env.TERM === 'alacritty' ||
    env.TERMINAL_EMULATOR === 'JetBrains-JediTerm'
  );
}

const symbols = {
  pass: '✔',
  fail: '✘',
  /** A prediction that held, where what it predicted is an attack that works. */
  warn: '⚠',
  current: '▶',
  arrowRight: '▶',
  arrowLeft: '◀',
  done: '■',
  todo: '□',
  upDown: '↑↓',
};

const ascii: typeof symbols = {
  pass: '+',
  fail: 'x',
  warn: '!',
  current: '>',
  arrowRight: '>',
  arrowLeft: '<',
  done: '#',
  todo: '.',
  upDown: 'Up Down',
};

export type Glyphs = typeof symbols;

export function glyphsFor(env: NodeJS.ProcessEnv = process.env): Glyphs {
  return canDrawSymbols(env) ? symbols : ascii;
}

/** The marks this run draws with, decided once as the CLI starts. */
export const glyphs = glyphsFor();
