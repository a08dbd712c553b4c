/**
 * A reason a server will not start that the person starting it can fix: one sentence that names
 * the fix, shown without a stack trace. The tutor reports it as one of its own usage errors, and
 * an ejected server (standalone.ts) prints it and exits with `exitCode`.
 */
export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
