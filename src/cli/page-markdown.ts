import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Token } from 'marked';
import { packageRoot } from '../paths.js';
import { drawMarkdown } from './draw-markdown.js';

/**
 * The Markdown of every lesson's first page as marked read it at build (scripts/build.js), by
 * its text: the first page a run draws needs no marked, and a text the build did not see (a
 * later page, or one with the stage's address filled in) is read by marked when it is drawn.
 */
let readAtBuild: Map<string, Token[]> | undefined;

function builtTokens(text: string): Token[] | undefined {
  readAtBuild ??= new Map(Object.entries(firstPages()));
  return readAtBuild.get(text);
}

function firstPages(): Record<string, Token[]> {
  try {
    return JSON.parse(readFileSync(join(packageRoot, 'dist', 'first-pages.json'), 'utf8'));
  } catch (err) {
    // run from source before a build: marked reads every page
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

/** A page's text, in Markdown, drawn to `width`, as src/cli/markdown.ts renders it. */
export async function renderPageMarkdown(text: string, width: number): Promise<string> {
  const tokens = builtTokens(text);
  if (tokens) return drawMarkdown(tokens, width);
  const { renderMarkdown } = await import('./markdown.js');
  return renderMarkdown(text, width);
}

/** Loads marked and reads the texts of the page to come, while the learner reads this one. */
export async function readAhead(texts: string[]): Promise<void> {
  const { readAhead } = await import('./markdown.js');
  readAhead(texts.filter((text) => builtTokens(text) === undefined));
}
