import { lexer, type Token, type Tokens } from 'marked';
import { commandItem, drawMarkdown, itemTokens } from './draw-markdown.js';

/** What marked read of each text so far: the walk reads a page ahead while the learner reads. */
const read = new Map<string, Token[]>();

function tokensOf(text: string): Token[] {
  let tokens = read.get(text);
  if (!tokens) {
    tokens = lexer(text);
    read.set(text, tokens);
  }
  return tokens;
}

/** Renders the small part of Markdown that lesson text uses, wrapped to the terminal. */
export function renderMarkdown(text: string, width: number): string {
  return drawMarkdown(tokensOf(text), width);
}

/** Reads texts about to be shown, so that drawing them later takes no reading. */
export function readAhead(texts: string[]): void {
  for (const text of texts) tokensOf(text);
}

/** The commands a piece of lesson text shows to copy, each drawn whole on a line of its own. */
export function commandsToCopy(text: string): string[] {
  return lexer(text).flatMap((token) => {
    if (token.type === 'code') return (token as Tokens.Code).text.split('\n');
    if (token.type !== 'list') return [];
    return (token as Tokens.List).items.flatMap(
      (item) => commandItem(item.tokens.flatMap(itemTokens))?.code ?? [],
    );
  });
}
