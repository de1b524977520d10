import { describe, expect, it } from 'vitest';
import { OpenRlhfRequestSchema, RewardBatchSchema } from './reward-requests.js';
import { describeZodError, fieldIssues, fieldPath } from './zod-issues.js';

function errorOf(schema: typeof OpenRlhfRequestSchema | typeof RewardBatchSchema, value: unknown) {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a validation error');
  return parsed.error;
}

describe('fieldPath', () => {
  it('writes indexes in brackets and keys with dots', () => {
    expect(fieldPath(['query', 3])).toBe('query[3]');
    expect(fieldPath([2, 'ground_truth'])).toBe('body[2].ground_truth');
    expect(fieldPath([0, 'options', 'lambdaAngle'])).toBe('body[0].options.lambdaAngle');
    expect(fieldPath([])).toBe('body');
    expect(fieldPath(['labels'])).toBe('labels');
  });
});

describe('request schemas and their messages', () => {
  it('names the element of the wrong type', () => {
    const error = errorOf(OpenRlhfRequestSchema, { query: ['a', 7], prompts: ['p', 'p'], labels: ['l', 'l'] });
    expect(describeZodError(error)).toBe('query[1]: expected string, received number');
  });

  it('names a missing field and counts the other problems', () => {
    const error = errorOf(OpenRlhfRequestSchema, { query: ['a'] });
    expect(describeZodError(error)).toBe('prompts: expected array, received undefined (and 1 more problem)');
    expect(fieldIssues(error)).toEqual([
      { field: 'prompts', message: 'expected array, received undefined' },
      { field: 'labels', message: 'expected array, received undefined' },
    ]);
  });

  it('reports arrays of different lengths', () => {
    const error = errorOf(OpenRlhfRequestSchema, { query: ['a', 'b'], prompts: ['p'], labels: ['l', 'l'] });
    expect(describeZodError(error)).toBe('prompts: expected 2 entries (one per query), got 1');
  });

  it('accepts extra top-level keys in the OpenRLHF form', () => {
    expect(OpenRlhfRequestSchema.safeParse({ query: [], prompts: [], labels: [], extra: 1 }).success).toBe(true);
  });

  it('rejects a body that is not an array in the batch form', () => {
    expect(describeZodError(errorOf(RewardBatchSchema, { response: 'x', ground_truth: 'y' }))).toBe(
      'body: expected array, received object',
    );
  });

  it('ignores other keys of a batch item but rejects misspelt options', () => {
    expect(RewardBatchSchema.safeParse([{ response: 'a', ground_truth: 'b', score: 1 }]).success).toBe(true);
    expect(
      describeZodError(errorOf(RewardBatchSchema, [{ response: 'a', ground_truth: 'b', options: { lambdaAngel: 1 } }])),
    ).toBe('body[0].options: Unrecognized key: "lambdaAngel"');
    expect(
      describeZodError(errorOf(RewardBatchSchema, [{ response: 'a', ground_truth: 'b', options: { lambdaAngle: -1 } }])),
    ).toMatch(/^body\[0\]\.options\.lambdaAngle: /);
  });
});
