import type { RewardResult } from './computeScore.js';

function jsonNumber(value: number | null): string {
  return value === null || !Number.isFinite(value) ? 'null' : String(value);
}

/**
 * A reward result as the JSON text every surface writes (the `vla-r1 reward` command, the reward service):
 * snake_case keys, `null` for a value the mode does not define (and for non-finite numbers).
 *
 * @example
 * rewardResultJson({ score: 1, formatScore: 1, taskScore: 1, mode: 'box', iou: 1, giou: 1, alaf: null, dfd: null });
 * // '{"score":1,"format_score":1,"task_score":1,"mode":"box","iou":1,"giou":1,"alaf":null,"dfd":null}'
 */
export function rewardResultJson(r: RewardResult): string {
  return (
    `{"score":${jsonNumber(r.score)},"format_score":${jsonNumber(r.formatScore)},"task_score":${jsonNumber(r.taskScore)},` +
    `"mode":"${r.mode}","iou":${jsonNumber(r.iou)},"giou":${jsonNumber(r.giou)},"alaf":${jsonNumber(r.alaf)},"dfd":${jsonNumber(r.dfd)}}`
  );
}
