import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { nonNegativeInteger, nonNegativeNumber, positiveInteger } from './flag-parsers.js';

describe('flag parsers', () => {
  it('accept what they promise', () => {
    expect(positiveInteger('1')).toBe(1);
    expect(positiveInteger('400')).toBe(400);
    expect(nonNegativeInteger('0')).toBe(0);
    expect(nonNegativeNumber('0')).toBe(0);
    expect(nonNegativeNumber('2e-3')).toBe(0.002);
  });

  it.each([
    [positiveInteger, '0'],
    [positiveInteger, '-1'],
    [positiveInteger, '1.5'],
    [positiveInteger, ''],
    [positiveInteger, 'ten'],
    [nonNegativeInteger, '-1'],
    [nonNegativeInteger, '2.0'],
    [nonNegativeNumber, '-0.1'],
    [nonNegativeNumber, ' '],
    [nonNegativeNumber, 'NaN'],
    [nonNegativeNumber, 'Infinity'],
  ])('%o rejects %j', (parse, value) => {
    expect(() => parse(value)).toThrow(InvalidArgumentError);
  });
});
