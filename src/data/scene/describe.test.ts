import { describe, expect, it } from 'vitest';
import { coordinateWords, imageRegion, listWords } from './describe.js';

describe('scene words', () => {
  it('names image regions', () => {
    expect(imageRegion([0.5, 0.5])).toBe('near the image centre');
    expect(imageRegion([0.2, 0.8])).toBe('in the lower left of the image');
    expect(imageRegion([0.9, 0.1])).toBe('in the upper right of the image');
    expect(imageRegion([0.2, 0.5])).toBe('on the left side of the image');
    expect(imageRegion([0.5, 0.9])).toBe('at the bottom centre of the image');
    expect(imageRegion([0.5, 0.1])).toBe('at the top centre of the image');
  });

  it('writes coordinates and lists', () => {
    expect(coordinateWords([0.4213, 0.6309])).toBe('x 0.42, y 0.63');
    expect(listWords(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listWords(['a'])).toBe('a');
  });
});
