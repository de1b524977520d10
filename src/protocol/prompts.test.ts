import { describe, expect, it } from 'vitest';
import { AFFORDANCE_SUFFIX, buildHumanTurn, buildPrompt, parseHumanTurn, TRAJECTORY_SUFFIX } from './prompts.js';

describe('prompts', () => {
  it('keeps the official suffixes byte-identical (including "define")', () => {
    expect(AFFORDANCE_SUFFIX).toBe(
      ' Please output the 2D affordance region define by bounding box of the object in the format <output>{"x": value, "y": value, "width": value, "height": value}</output>.',
    );
    expect(TRAJECTORY_SUFFIX).toBe(
      ' Please output the optimal trajectory of the end-effector to the target object in the format <output>[[x1, y1], [x2, y2], ...]</output>.',
    );
  });

  it('builds the human turn with the image last and parses it back', () => {
    const turn = buildHumanTurn('reach for the ketchup bottle on the oven.', 'trajectory');
    expect(turn).toBe(`${buildPrompt('reach for the ketchup bottle on the oven.', 'trajectory')}\n<image>`);
    expect(parseHumanTurn(turn)).toEqual({ instruction: 'reach for the ketchup bottle on the oven.', kind: 'trajectory' });
    expect(parseHumanTurn(`<image>\npick up the broccoli.${AFFORDANCE_SUFFIX}`)).toEqual({ instruction: 'pick up the broccoli.', kind: 'affordance' });
    expect(parseHumanTurn('pick up the broccoli.')).toBeUndefined();
  });
});
