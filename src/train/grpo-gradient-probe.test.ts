import { describe, expect, it } from 'vitest';
import type { GradientNoise } from './gradient-noise.js';
import type { GradientProbe } from './grpo-gradient-probe.js';
import { formatGradientProbe } from './grpo-gradient-probe.js';

function noise(meanNormSquared: number, traceCovariance: number, error: number | null): GradientNoise {
  const range: GradientNoise['noiseScaleRange'] =
    error === null || meanNormSquared + error <= 0
      ? null
      : [traceCovariance / (meanNormSquared + error), meanNormSquared - error > 0 ? traceCovariance / (meanNormSquared - error) : null];
  return {
    prompts: 10,
    meanNormSquared,
    meanNormSquaredError: error,
    traceCovariance,
    noiseScale: meanNormSquared > 0 ? traceCovariance / meanNormSquared : null,
    noiseScaleRange: range,
  };
}

describe('formatGradientProbe', () => {
  const probe: GradientProbe = {
    grpo: { affordance: noise(0.01, 4, 0.02), trajectory: noise(-0.001, 3, 0.002), all: noise(0.004, 3.5, 0.001) },
    supervised: { affordance: noise(0.04, 16, 0.01), trajectory: null, all: noise(0.04, 16, null) },
    kindCosine: { grpo: 0.1, supervised: null },
    grpoSupervisedCosine: -0.25,
  };
  const text = formatGradientProbe(probe, 8);

  it('prints the noise scale with its one-error range, open above when the error reaches the signal', () => {
    expect(text).toMatch(/^GRPO, affordance +10 +1\.00e-1 +2\.00e\+0 +400 \(133–∞\) +0\.020 +0\.138$/m);
    expect(text).toMatch(/^GRPO, all prompts +10 +6\.32e-2 +1\.87e\+0 +875 \(700–1167\) +0\.009 +0\.068$/m);
    expect(text).toMatch(/^supervised, all prompts +10 +2\.00e-1 +4\.00e\+0 +400 +0\.020 +0\.138$/m);
  });

  it('says when no signal was measured, and leaves out populations without prompts', () => {
    expect(text).toMatch(/^GRPO, trajectory +10 +- +1\.73e\+0 +no signal \(3000–∞\) +0\.000 +0\.000$/m);
    expect(text).not.toMatch(/supervised, trajectory/);
  });

  it('prints the cosines, with - where none was measured', () => {
    expect(text).toContain('boxes vs trajectories 0.10 (GRPO), - (supervised); GRPO vs supervised -0.25');
    expect(text).toContain('step agreement at 8');
  });
});
