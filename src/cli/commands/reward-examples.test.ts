import { describe, expect, it } from 'vitest';
import { computeScore } from '../../rewards/index.js';
import { renderRewardExamplesTable, rewardExamples } from './reward-examples.js';

describe('reward-examples', () => {
  it('scores every fixture example exactly as the official code did', () => {
    const fixture = rewardExamples().filter((e) => e.official !== undefined);
    expect(fixture.length).toBeGreaterThan(5);
    for (const e of fixture) expect(computeScore(e.response, e.groundTruth).score).toBeCloseTo(e.official!, 12);
  });

  it('gives an exact formatted answer the full score and an answer without think no format credit', () => {
    const byLabel = new Map(rewardExamples().map((e) => [e.label, computeScore(e.response, e.groundTruth)]));
    expect(byLabel.get('formatAnswer: exact box')?.score).toBe(1);
    expect(byLabel.get('formatAnswer: exact trajectory')?.score).toBeCloseTo(1, 12);
    expect(byLabel.get('near trajectory, no think')?.formatScore).toBe(0);
  });

  it('renders one aligned row per example under a header and a rule', () => {
    const examples = rewardExamples();
    const lines = renderRewardExamplesTable(examples).split('\n');
    expect(lines).toHaveLength(examples.length + 2);
    expect(lines[0]).toMatch(/^\s*#\s+example\s+response\s+mode\s+format\s+task\s+score\s+official$/);
    expect(lines[1]).toMatch(/^[- ]+$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});
