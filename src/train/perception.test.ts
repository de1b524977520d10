import { describe, expect, it } from 'vitest';
import { Tokenizer } from '../model/tokenizer.js';
import { PERCEPTION_LABELS, TABLE_LABEL_WEIGHT, perceptionEncoder } from './perception.js';

const tok = Tokenizer.train(['pick up the red mug by its handle', 'move the gripper off the table', 'grasp the blue screwdriver'], { coordinateBins: 4, minCount: 1 });
const id = (word: string): number => {
  const ids = tok.encodeText(` ${word}`, { merges: false });
  expect(ids).toHaveLength(1);
  return ids[0] as number;
};

describe('perceptionEncoder', () => {
  const labels = {
    grid: 4,
    objects: [
      { category: 'mug', colour: 'red', parts: ['handle'] },
      { category: 'spatula', colour: 'blue', parts: [] },
    ],
    // rows: table/robot on top, the mug (its handle on the right) and an unknown-word spatula below
    instances: '..##' + '..##' + 'AABB' + 'AABB',
    parts: '....' + '....' + '.0..' + '....',
  };

  const encoder = perceptionEncoder(tok, [labels]);
  /** The label words' token ids, per patch label (0 where unlabelled). */
  const tokenIds = (targets: Int32Array, weights: Float32Array): number[] =>
    Array.from(targets, (t, i) => ((weights[i] as number) > 0 ? (encoder.vocabulary[t] as number) : 0));

  it('has a vocabulary of the label words the tokenizer holds as single pieces, ascending', () => {
    expect(Array.from(encoder.vocabulary)).toEqual([id('table'), id('gripper'), id('mug'), id('red'), id('handle'), id('blue')].sort((a, b) => a - b));
  });

  it('gives each patch the words of the label cell under its centre', () => {
    const { labels: targets, weights } = encoder.encode(labels, 4);
    const tokens = tokenIds(targets, weights);
    expect(tokens).toHaveLength(16 * PERCEPTION_LABELS);
    expect(weights).toHaveLength(16 * PERCEPTION_LABELS);
    const patch = (i: number): [number, number][] => [0, 1, 2].map((k) => [tokens[i * 3 + k] as number, weights[i * 3 + k] as number]);
    expect(patch(0)).toEqual([[id('table'), Math.fround(TABLE_LABEL_WEIGHT)], [0, 0], [0, 0]]);
    expect(patch(3)).toEqual([[id('gripper'), 1], [0, 0], [0, 0]]);
    expect(patch(8)).toEqual([[id('mug'), 1], [id('red'), 1], [0, 0]]);
    expect(patch(9)).toEqual([[id('mug'), 1], [id('red'), 1], [id('handle'), 1]]);
    // "spatula" is not a piece of this vocabulary: no category label; "blue" is.
    expect(patch(10)).toEqual([[0, 0], [id('blue'), 1], [0, 0]]);
  });

  it('samples a coarser patch grid at the patch centres', () => {
    const { labels: targets, weights } = encoder.encode(labels, 2);
    // patch centres fall on label cells (1,1), (1,3), (3,1), (3,3)
    expect(tokenIds(targets, weights)).toEqual([id('table'), 0, 0, id('gripper'), 0, 0, id('mug'), id('red'), 0, 0, id('blue'), 0]);
    expect(Array.from(weights)).toEqual([TABLE_LABEL_WEIGHT, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0].map(Math.fround));
  });
});
