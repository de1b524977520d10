import { describe, expect, it } from 'vitest';
import type { Action } from '../protocol/types.js';
import type { LoadedRecord } from './records.js';
import { datasetStats, formatStats, instructionWords, polylineLength, quantile, summarize } from './stats.js';

function loaded(index: number, instruction: string, action: Action, image = `/d/${index}.png`): LoadedRecord {
  return {
    index,
    line: index + 1,
    record: { image, conversations: [{ from: 'human', value: '' }, { from: 'gpt', value: '' }] },
    instruction,
    kind: action.kind,
    answer: '',
    action,
    imagePath: image,
  };
}

const records: LoadedRecord[] = [
  loaded(0, 'Pick up the red mug.', { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.1, height: 0.2 } }),
  loaded(1, 'pick the red cube', { kind: 'affordance', box: { x: 0.3, y: 0.3, width: 0.5, height: 0.6 } }, '/d/0.png'),
  loaded(2, 'reach for the red mug', { kind: 'trajectory', points: [[0, 0], [0.3, 0.4], [0.3, 0.5]] }),
  loaded(3, 'reach for the pan', { kind: 'trajectory', points: [[0.1, 0.1], [0.1, 0.2], [0.1, 0.3], [0.1, 0.4]] }),
  loaded(4, 'move the cube', { kind: 'trajectory', points: [[0.5, 0.5], [0.6, 0.5], [0.7, 0.5], [0.8, 0.5]] }),
];

describe('helpers', () => {
  it('computes linear quantiles and summaries', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
    expect(summarize([4, 1, 3, 2])).toEqual({ min: 1, p25: 1.75, median: 2.5, p75: 3.25, max: 4, mean: 2.5 });
  });

  it('measures polylines and splits instructions into words', () => {
    expect(polylineLength([[0, 0], [0.3, 0.4], [0.3, 0.5]])).toBeCloseTo(0.6, 12);
    expect(polylineLength([[0.2, 0.2]])).toBe(0);
    expect(instructionWords("Pick up the robot's red cup.")).toEqual(['pick', 'up', 'the', "robot's", 'red', 'cup']);
    expect(instructionWords('Öffne die Tür, 2 mal')).toEqual(['öffne', 'die', 'tür', '2', 'mal']);
  });
});

describe('datasetStats', () => {
  it('counts kinds, box sizes, trajectory lengths and words', () => {
    const stats = datasetStats(records, 3);
    expect(stats.records).toBe(5);
    expect(stats.kinds).toEqual({ affordance: 2, trajectory: 3 });
    expect(stats.uniqueImages).toBe(4);
    const width = stats.boxes?.width;
    [width?.min, width?.p25, width?.median, width?.p75, width?.max, width?.mean].forEach((v, k) => expect(v).toBeCloseTo([0.1, 0.2, 0.3, 0.4, 0.5, 0.3][k] ?? Number.NaN, 12));
    expect(stats.boxes?.area.min).toBeCloseTo(0.02, 12);
    expect(stats.boxes?.area.max).toBeCloseTo(0.3, 12);
    expect(stats.boxes?.areaHistogram.map((b) => b.count)).toEqual([0, 0, 0, 1, 0, 0, 1]);
    expect(stats.boxes?.areaHistogram[3]).toEqual({ from: 0.02, to: 0.05, count: 1 });
    expect(stats.trajectories?.points).toEqual({ min: 3, p25: 3.5, median: 4, p75: 4, max: 4, mean: 11 / 3 });
    expect(stats.trajectories?.pointCounts).toEqual({ '3': 1, '4': 2 });
    expect(stats.trajectories?.pathLength.median).toBeCloseTo(0.3, 12);
    expect(stats.trajectories?.pathLength.max).toBeCloseTo(0.6, 12);
    expect(stats.instructions.unique).toBe(5);
    expect(stats.instructions.vocabulary).toBe(10);
    // 5, 4, 5, 4 and 3 words.
    expect(stats.instructions.words).toEqual({ min: 3, p25: 4, median: 4, p75: 5, max: 5, mean: 4.2 });
    // red ×3; cube, mug, pick, reach ×2 (alphabetical among ties); the/up/for are stop words.
    expect(stats.instructions.topWords).toEqual([
      { word: 'red', count: 3 },
      { word: 'cube', count: 2 },
      { word: 'mug', count: 2 },
    ]);
  });

  it('leaves out the sections a dataset does not have', () => {
    const onlyBoxes = datasetStats(records.slice(0, 2));
    expect(onlyBoxes.trajectories).toBeNull();
    expect(onlyBoxes.kinds).toEqual({ affordance: 2, trajectory: 0 });
    const empty = datasetStats([]);
    expect(empty.boxes).toBeNull();
    expect(empty.instructions.topWords).toEqual([]);
  });
});

describe('formatStats', () => {
  it('prints aligned tables', () => {
    const text = formatStats('d.json', datasetStats(records, 2));
    expect(text).toBe(
      [
        'd.json: 5 records, 4 images',
        '',
        'kind        records',
        'affordance        2',
        'trajectory        3',
        '',
        'boxes (normalised to the image)',
        '           min     p25  median     p75     max    mean',
        'width   0.1000  0.2000  0.3000  0.4000  0.5000  0.3000',
        'height  0.2000  0.3000  0.4000  0.5000  0.6000  0.4000',
        'area    0.0200  0.0900  0.1600  0.2300  0.3000  0.1600',
        '',
        'box area histogram (fraction of the image)',
        'area           boxes',
        '[0, 0.005)         0',
        '[0.005, 0.01)      0',
        '[0.01, 0.02)       0',
        '[0.02, 0.05)       1',
        '[0.05, 0.1)        0',
        '[0.1, 0.25)        0',
        '[0.25, 1]          1',
        '',
        'trajectories',
        '                min     p25  median     p75     max    mean',
        'waypoints         3    3.50       4       4       4    3.67',
        'path length  0.3000  0.3000  0.3000  0.4500  0.6000  0.4000',
        '',
        'waypoints  trajectories',
        '3                     1',
        '4                     2',
        '',
        'instructions: 5 unique, vocabulary 10 words',
        '       min  p25  median  p75  max  mean',
        'words    3    4       4    5    5  4.20',
        '',
        'top words (stop words excluded)',
        'word  count',
        'red       3',
        'cube      2',
        '',
      ].join('\n'),
    );
  });
});
