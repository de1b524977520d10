import { pythonStrip } from '../protocol/pythonText.js';
import { countTags, findOutputBlock, findThinkBlock } from '../protocol/tagBlocks.js';

/**
 * Optional checks against known reward hacks (repeated tags, empty reasoning, reasoning after the answer, and
 * non-finite numbers). All are off by default: the default reward is the official one. `true` turns them all on.
 */
export interface StrictFormatOptions {
  /**
   * Every number of both payloads is finite, else task 0. The official reward gives a box with a NaN
   * coordinate (`"x": NaN` or `"x": "nan"`) GIoU 1 whatever the ground truth (its NaN-blind `max`/`min` make
   * the enclosing box empty), so such an answer scores 1.0; NaN waypoints likewise drop out of the Fréchet
   * maximum.
   */
  readonly finiteNumbers?: boolean;
  /** Exactly one `<think>`, one `</think>`, one `<output>` and one `</output>` tag. */
  readonly singleBlocks?: boolean;
  /** The `<think>` block holds some non-whitespace text. */
  readonly nonEmptyThink?: boolean;
  /** The `<think>` block closes before the `<output>` block opens. */
  readonly thinkBeforeOutput?: boolean;
}

/** Every strict check turned on. */
export const ALL_STRICT_CHECKS: Required<StrictFormatOptions> = {
  finiteNumbers: true,
  singleBlocks: true,
  nonEmptyThink: true,
  thinkBeforeOutput: true,
};

/**
 * The strict checks a response fails, as short reasons (empty when it passes, or when no check is on).
 *
 * @example
 * strictFormatViolations('<think></think><output>[]</output>', ALL_STRICT_CHECKS); // ['empty think']
 */
export function strictFormatViolations(response: string, checks: StrictFormatOptions): string[] {
  const reasons: string[] = [];
  if (checks.singleBlocks) {
    const c = countTags(response);
    if (c.thinkOpen !== 1 || c.thinkClose !== 1 || c.outputOpen !== 1 || c.outputClose !== 1) {
      reasons.push('not exactly one think and one output block');
    }
  }
  const think = findThinkBlock(response);
  if (checks.nonEmptyThink && (think === undefined || pythonStrip(response, think.contentStart, think.contentEnd) === '')) {
    reasons.push('empty think');
  }
  if (checks.thinkBeforeOutput) {
    const output = findOutputBlock(response);
    if (think === undefined || output === undefined || think.end > output.start) reasons.push('think not before output');
  }
  return reasons;
}
