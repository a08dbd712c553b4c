import { readFileSync } from 'node:fs';

/**
 * A text file the tutor splits into lines or pages, with Windows line ends (`\r\n`, as a Git
 * checkout with core.autocrlf writes them) read as `\n`: a `---` page break or a code line must
 * not carry a `\r`.
 */
export function readText(file: string): string {
  return readFileSync(file, 'utf8').replaceAll('\r\n', '\n');
}
