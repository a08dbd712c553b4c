import { readFileSync } from 'node:fs';

/**
 * A text file the tutor splits into lines or pages, with Windows line ends (`\r\n`, as a Git
 * checkout with core.autocrlf writes them) read as `\n`: a `---` page break or a code line must
 * not carry a `\r`.
 */
export function readText(file: string): string {
  return readFileSync(file, 'utf8').replaceAll('\r\n', '\n');
}

/** The lines of a piece of code; a final newline ends the last line, it does not start another. */
export function linesOf(code: string): string[] {
  return (code.endsWith('\n') ? code.slice(0, -1) : code).split('\n');
}
