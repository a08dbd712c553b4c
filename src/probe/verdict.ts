import escapeHtml from 'escape-html';
import { answerOf, type Hop } from './hop.js';
import { pageOf } from './html.js';

/** A claim of the lesson and what the real responses showed. */
export interface Verdict {
  /** Who or what was tried, such as "goldfish (no cookie jar)". */
  label: string;
  /** What happened, computed from the responses, such as "forgotten". */
  outcome: string;
  /** What the lesson says should happen. */
  expected: string;
  /** The response that decided it, quoted. */
  evidence: string;
  /** Set when this half of a demo could not run here: why. Its outcome is then 'not run'. */
  skipped?: string;
  /**
   * Set when the outcome the lesson predicts is an attack that works, such as "the attack works":
   * the line then says so, so that a held prediction never reads as approval.
   */
  unsafe?: string;
}

/**
 * True when the page shows this name as text: any markup around it will do, and any valid
 * escaping, so a server written in any language or framework can pass.
 */
export function greets(hop: Hop | undefined, name: string): boolean {
  return hop !== undefined && hop.status === 200 && pageOf(hop).text().includes(name);
}

export function rememberedVerdict(
  label: string,
  hop: Hop | undefined,
  name: string,
  expected: 'remembered' | 'forgotten',
): Verdict {
  const remembered = greets(hop, name);
  const answered = answerOf(hop);
  return {
    label,
    outcome: remembered ? 'remembered' : 'forgotten',
    expected,
    evidence: remembered
      ? `GET / answered ${answered}`
      : `GET / answered ${answered}, without the name ${escapeHtml(name)}`,
  };
}

/** A verdict on whether a request got a successful answer (2xx). */
export function answered(label: string, hop: Hop | undefined): Verdict {
  const ok = hop !== undefined && hop.status >= 200 && hop.status < 300;
  return {
    label,
    outcome: ok ? 'answered' : hop ? `answered ${hop.status}` : 'no answer',
    expected: 'answered',
    evidence: hop ? `${hop.status} ${hop.keyLine}` : 'no response',
  };
}
