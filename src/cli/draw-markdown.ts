import chalk from 'chalk';
import type { Token, Tokens } from 'marked';
import { asCommand, wrapText } from './render.js';

// Drawing Markdown apart from reading it (src/cli/markdown.ts): a lesson's first page is drawn
// from tokens marked read at build (dist/first-pages.json), so that marked, whose first run builds
// and compiles its regular expressions (about 50 ms), need not load before the page is up.

/** Draws the small part of Markdown that lesson text uses, wrapped to the terminal. */
export function drawMarkdown(tokens: Token[], width: number): string {
  return tokens
    .map((token) => block(token, width))
    .filter((out) => out !== '')
    .join('\n\n');
}

function block(token: Token, width: number): string {
  switch (token.type) {
    case 'heading':
      return chalk.bold.underline(inline((token as Tokens.Heading).tokens));
    case 'paragraph':
      return wrapText(inline((token as Tokens.Paragraph).tokens), width);
    case 'list':
      return (token as Tokens.List).items
        .map((item, i) => {
          const bullet = (token as Tokens.List).ordered ? `${i + 1}. ` : '• ';
          const tokens = item.tokens.flatMap(itemTokens);
          const command = commandItem(tokens);
          // `- bash, zsh: \`command\``: the label, then the command on a line of its own, whole
          if (command)
            return `${bullet}${command.label}\n${asCommand(`    ${chalk.cyan(command.code)}`)}`;
          const body = wrapText(inline(tokens), width - bullet.length);
          return bullet + body.replace(/\n/g, `\n${' '.repeat(bullet.length)}`);
        })
        .join('\n');
    case 'code':
      // a command, on lines of its own and never wrapped, so it can be copied whole
      return (token as Tokens.Code).text
        .split('\n')
        .map((line) => asCommand(`  ${chalk.cyan(line)}`))
        .join('\n');
    case 'blockquote':
      return wrapText(inline((token as Tokens.Blockquote).tokens.flatMap(itemTokens)), width - 2)
        .split('\n')
        .map((line) => `${chalk.dim('│')} ${line}`)
        .join('\n');
    case 'space':
    case 'hr':
      return '';
    default:
      return wrapText(token.raw.trim(), width);
  }
}

/** A list item that is a label and a command to copy (`- PowerShell: \`…\``), or undefined. */
export function commandItem(tokens: Token[]): { label: string; code: string } | undefined {
  const [label, code] = tokens;
  if (tokens.length !== 2 || label.type !== 'text' || code.type !== 'codespan') return undefined;
  const text = (label as Tokens.Text).text;
  return text.endsWith(': ')
    ? { label: text.trimEnd(), code: (code as Tokens.Codespan).text }
    : undefined;
}

// A list item or quote holds paragraphs or bare text; their inline tokens are what we draw.
export function itemTokens(token: Token): Token[] {
  const inner = (token as { tokens?: Token[] }).tokens;
  return token.type === 'text' || token.type === 'paragraph' ? (inner ?? [token]) : [token];
}

function inline(tokens: Token[] = []): string {
  return tokens
    .map((token) => {
      switch (token.type) {
        case 'strong':
          return chalk.bold(inline((token as Tokens.Strong).tokens));
        case 'em':
          return chalk.italic(inline((token as Tokens.Em).tokens));
        case 'codespan':
          return chalk.cyan((token as Tokens.Codespan).text);
        case 'link':
          return chalk.underline((token as Tokens.Link).href);
        case 'br':
          return '\n';
        case 'text': {
          const nested = (token as Tokens.Text).tokens;
          return nested ? inline(nested) : (token as Tokens.Text).text;
        }
        default:
          return token.raw;
      }
    })
    .join('');
}
