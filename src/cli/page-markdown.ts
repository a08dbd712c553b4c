import type { Token } from 'marked';
import { readBuilt } from '../paths.js';
import { drawMarkdown } from './draw-markdown.js';

/**
 * The Markdown of every lesson's first page as marked read it at build (scripts/build.js), by
 * its text: the first page a run draws needs no marked, and a text the build did not see (a
 * later page, or one with the stage's address filled in) is read by marked when it is drawn.
 */
let readAtBuild: Map<string, Token[]> | undefined;

function builtTokens(text: string): Token[] | undefined {
  // run from source before a build, marked reads every page
  readAtBuild ??= new Map(
    Object.entries(readBuilt<Record<string, Token[]>>('first-pages.json', {})),
  );
  return readAtBuild.get(text);
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
