import { Refusal } from './stage/refusal.js';

/**
 * A mistake the user can fix: reported as one clear message, never a stack trace. The tutor's
 * own kind of the room's Refusal, which the stages and their stores throw: the CLI reports both.
 */
export class UserError extends Refusal {
  override name = 'UserError';
}
