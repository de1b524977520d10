import { describe, expect, it } from 'vitest';
import { waypointCount, waypointsAlong } from './tasks.js';

describe('waypoints', () => {
  it('spaces 4 points evenly on a straight line, as in the paper', () => {
    expect(waypointCount(2)).toBe(4);
    expect(waypointsAlong([[0, 0, 0], [3, 0, 0.5]], 4)).toEqual([
      [0, 0, 0],
      [1, 0, 0.5 / 3],
      [2, 0, (2 * 0.5) / 3],
      [3, 0, 0.5],
    ]);
  });

  it('keeps every corner and gives the extra points to the longer segments', () => {
    expect(waypointCount(3)).toBe(5);
    expect(waypointCount(7)).toBe(8);
    const pts = waypointsAlong([[0, 0, 0], [3, 0, 0], [3, 1, 0]], 5);
    expect(pts).toEqual([
      [0, 0, 0],
      [1, 0, 0],
      [2, 0, 0],
      [3, 0, 0],
      [3, 1, 0],
    ]);
  });
});
