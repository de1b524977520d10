/**
 * `vla-r1 reward-examples`: score example answers with the VLA-R1 verifiable reward and print a table, with
 * the official Python code's score beside ours where the example comes from the official fixture.
 *
 * The examples are eleven cases of the official reward fixture (scored by the official Python code; its score is
 * printed beside ours) plus answers written with `formatAnswer`: an exact answer, a near miss and one without
 * a `<think>` block, for a box and for a trajectory.
 *
 * @module
 */
import type { Command } from 'commander';
import { formatAnswer } from '../../protocol/answer.js';
import type { Action } from '../../protocol/types.js';
import { computeScore } from '../../rewards/index.js';

/** One example: an answer, its ground-truth answer and, for fixture cases, the official score. */
export interface RewardExample {
  readonly label: string;
  readonly response: string;
  readonly groundTruth: string;
  /** Score of the official Python `compute_score` (fixture cases only). */
  readonly official?: number;
}

const GT_PREFIX = '<think>Reasoning about the scene.</think> so, the answer is ';

/** Cases from test/fixtures/reward-official-400.jsonl (line numbers from 1), official score included. */
const FIXTURE_EXAMPLES: readonly RewardExample[] = [
  {
    label: 'box, close (fixture 23)',
    response:
      '<think>The mug handle faces right; grasp there.</think> so, the answer is <output>{"x": 0.771094, "y": 0.743782, "width": 0.069452, "height": 0.309232}</output>',
    groundTruth: `${GT_PREFIX}<output>{"x": 0.777675, "y": 0.749689, "width": 0.062601, "height": 0.310731}</output>`,
    official: 0.9043069994687944,
  },
  {
    label: 'trajectory, close, upper-case think (fixture 72)',
    response: '<THINK>x</THINK> so, the answer is <output>[[0.123763, 0.841657], [0.33401, 0.761366], [0.15605, 0.592995]]</output>',
    groundTruth: `${GT_PREFIX}<output>[[0.145306, 0.828059], [0.32141, 0.768455], [0.15649, 0.608699]]</output>`,
    official: 0.979928358266471,
  },
  {
    label: 'trajectory, far, two thinks, text after (fixture 1)',
    response:
      '<think>a</think><think>b</think>\n<output>\n[[0.660568, 0.849967], [0.468149, 1.158255], [0.494001, 0.991463], [0.491746, 1.009878]]\n</output>\ntrailing',
    groundTruth: `${GT_PREFIX}<output>[[0.230263, 0.133244], [0.437674, 0.2587], [0.417752, 0.196741], [0.492707, 0.424829]]</output>`,
    official: 0.49213998489428235,
  },
  {
    label: 'box, OUTPUT tags in capitals (fixture 36)',
    response:
      '<think>\n step 1 \n</think><OUTPUT> {"x": 0.25654, "y": 0.497958, "width": 0.054539, "height": 0.189763} </Output>',
    groundTruth: `${GT_PREFIX}<output>{"x": 0.26624, "y": 0.324248, "width": 0.044228, "height": 0.038979}</output>`,
    official: 0.41920007189664243,
  },
  {
    label: 'box, then a second output: the first counts (fixture 124)',
    response:
      '<think>a</think><think>b</think><output>{"x": 0.169548, "y": 0.759545, "width": 0.066853, "height": 0.055519}</output><output>[[0,0],[1,1]]</output>',
    groundTruth: `${GT_PREFIX}<output>{"x": 0.156132, "y": 0.764263, "width": 0.054885, "height": 0.041347}</output>`,
    official: 0.7581989340431363,
  },
  {
    label: 'box, unclosed think: format 0 (fixture 4)',
    response: '<output>{"x": 0.942868, "y": 0.625288, "width": 0.445949, "height": 0.344649}</output><think>unclosed',
    groundTruth: `${GT_PREFIX}<output>{"x": 0.936715, "y": 0.619602, "width": 0.435694, "height": 0.345222}</output>`,
    official: 0.8838156174403503,
  },
  {
    label: 'trajectory vs a static ground truth (fixture 5)',
    response:
      '<think></think> so, the answer is <output>[[0.916644, 0.192568], [0.796951, 0.227435], [0.774922, 0.264165], [0.753236, 0.246161]]</output>',
    groundTruth: `${GT_PREFIX}<output>[[0.822348, 0.185952], [0.822348, 0.185952], [0.822348, 0.185952], [0.822348, 0.185952], [0.822348, 0.185952]]</output>`,
    official: 0.1,
  },
  {
    label: 'box answer, trajectory wanted (fixture 9)',
    response:
      '<think></think> so, the answer is <output>{"x": 0.099181, "y": 0.605771, "width": -0.019133, "height": -0.026508}</output>',
    groundTruth: `${GT_PREFIX}<output>[[0.494124, 0.335751], [0.474244, 0.14199]]</output>`,
    official: 0.1,
  },
  {
    label: 'null payload (fixture 119)',
    response: '<think></think> so, the answer is <output>null</output>',
    groundTruth: `${GT_PREFIX}<output>{"x": 0.70281, "y": 0.321756, "width": -0.0047, "height": 0.087004}</output>`,
    official: 0,
  },
  {
    label: '<answer> instead of <output> (fixture 3)',
    response: '<think>a</think><think>b</think><answer>[[0.644155, 0.464854], [0.649787, 0.392817]]</answer>',
    groundTruth: `${GT_PREFIX}<output>[[0.617391, 0.381062], [0.617391, 0.381062]]</output>`,
    official: 0,
  },
  {
    label: 'boxes off the image edge, clipped (fixture 48)',
    response:
      '<think></think> so, the answer is <output>{"x": -0.027784, "y": 0.888543, "width": 0.000475, "height": -0.097995}</output>',
    groundTruth: `${GT_PREFIX}<output>{"x": -0.082796, "y": 0.627281, "width": 0.006225, "height": 0.098688}</output>`,
    official: 0.55,
  },
];

const BOX: Action = { kind: 'affordance', box: { x: 0.5625, y: 0.6382, width: 0.0947, height: 0.1232 } };
const NEAR_BOX: Action = { kind: 'affordance', box: { x: 0.58, y: 0.63, width: 0.1, height: 0.11 } };
const TRAJECTORY: Action = {
  kind: 'trajectory',
  points: [
    [0.715645, 0.684211],
    [0.593633, 0.504111],
    [0.463881, 0.436894],
    [0.356734, 0.386189],
  ],
};
const NEAR_TRAJECTORY: Action = {
  kind: 'trajectory',
  points: [
    [0.7, 0.69],
    [0.6, 0.52],
    [0.47, 0.44],
    [0.36, 0.4],
  ],
};

/** Answers written with `formatAnswer` (the format the model is trained to produce). */
function formattedExamples(): RewardExample[] {
  const gtBox = formatAnswer('Reasoning about the scene.', BOX);
  const gtTrajectory = formatAnswer('Reasoning about the scene.', TRAJECTORY);
  const think = 'The handle of the mug is on the right; grasp it there.';
  return [
    { label: 'formatAnswer: exact box', response: formatAnswer(think, BOX), groundTruth: gtBox },
    { label: 'formatAnswer: near box', response: formatAnswer(think, NEAR_BOX), groundTruth: gtBox },
    {
      label: 'formatAnswer: exact trajectory',
      response: formatAnswer('Reach over the pan.', TRAJECTORY),
      groundTruth: gtTrajectory,
    },
    {
      label: 'formatAnswer: near trajectory',
      response: formatAnswer('Reach over the pan.', NEAR_TRAJECTORY),
      groundTruth: gtTrajectory,
    },
    {
      label: 'near trajectory, no think',
      response: formatAnswer('x', NEAR_TRAJECTORY).replace(/^<think>x<\/think>/, ''),
      groundTruth: gtTrajectory,
    },
  ];
}

/** All examples `reward-examples` scores: fixture cases, then `formatAnswer` ones. */
export function rewardExamples(): RewardExample[] {
  return [...FIXTURE_EXAMPLES, ...formattedExamples()];
}

function excerpt(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

/**
 * The table `reward-examples` prints: one row per example (label, response excerpt, mode, format, task, score, official).
 *
 * @example
 * console.log(renderRewardExamplesTable(rewardExamples()));
 */
export function renderRewardExamplesTable(examples: readonly RewardExample[]): string {
  const header = ['#', 'example', 'response', 'mode', 'format', 'task', 'score', 'official'];
  const rows = examples.map((example, i) => {
    const r = computeScore(example.response, example.groundTruth);
    return [
      String(i + 1),
      excerpt(example.label, 52),
      excerpt(example.response, 44),
      r.mode,
      r.formatScore.toFixed(0),
      r.taskScore.toFixed(4),
      r.score.toFixed(4),
      example.official === undefined ? '-' : example.official.toFixed(4),
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] ?? '').length)));
  const numeric = new Set([0, 4, 5, 6, 7]);
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/**
 * Register `vla-r1 reward-examples`.
 *
 * @example
 * // $ vla-r1 reward-examples
 */
export function registerRewardExamples(program: Command): void {
  program
    .command('reward-examples')
    .summary('score example answers with the reward, beside the official scores')
    .description('Score example answers with the VLA-R1 reward (score = 0.9 task + 0.1 format), beside the official Python scores')
    .action(() => {
      process.stdout.write(
        'VLA-R1 verifiable reward: score = 0.9 * task + 0.1 * format\n' +
          '  box: task = (GIoU + 1) / 2; trajectory: task = 1 - ALAF / 2.4299 (angle-length augmented Frechet)\n' +
          '  "official" = the score of the official Python compute_score on the same fixture case\n\n',
      );
      process.stdout.write(`${renderRewardExamplesTable(rewardExamples())}\n`);
    });
}
