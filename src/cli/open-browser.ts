/** Hands `url` to the learner's default browser; says in one line what happened, for the screen. */
export async function openInBrowser(url: string): Promise<string> {
  // loaded only for --open, so other runs never pay for it
  const { default: open } = await import('open');
  try {
    await open(url);
    return 'opening it in your default browser';
  } catch (err) {
    return `could not start a browser (${(err as Error).message}): open the address yourself`;
  }
}
