import { describe, expect, it } from 'vitest';
import { GrpoOptionsSchema } from '../train/grpo-options.js';
import { SftOptionsSchema } from '../train/sft-options.js';
import { DEMO_OUTPUTS, demoPaths, demoPlan } from './demo-plan.js';

describe('demoPlan', () => {
  it('gives SFT and GRPO options the trainers accept, for both plans', () => {
    for (const quick of [false, true]) {
      const plan = demoPlan({ quick });
      expect(() => SftOptionsSchema.parse({ ...plan.sft, cot: true })).not.toThrow();
      expect(() => GrpoOptionsSchema.parse(plan.grpo)).not.toThrow();
      // The demo evaluates separately: the trainers' own evaluations would only cost time.
      expect(SftOptionsSchema.parse(plan.sft).evalSamples).toBe(0);
      expect(GrpoOptionsSchema.parse(plan.grpo).evalSamples).toBe(0);
    }
  });
  it('is tiny with --quick and passes the seed everywhere', () => {
    const quick = demoPlan({ quick: true, seed: 7 });
    expect(quick.quick).toBe(true);
    expect(quick.data).toEqual({ train: 48, test: 8, ood: 8, size: 64 });
    expect([quick.seed, quick.sft.seed, quick.grpo.seed]).toEqual([7, 7, 7]);
    const full = demoPlan();
    expect(full.seed).toBe(1);
    expect(full.data.train).toBeGreaterThan(quick.data.train);
    expect(full.grpo.promptsPerStep ?? 0).toBeLessThanOrEqual(full.data.train);
  });
  it('is the same for the same options (the folder check compares plans as JSON)', () => {
    expect(JSON.stringify(demoPlan({ quick: true }))).toBe(JSON.stringify(demoPlan({ quick: true })));
    expect(JSON.stringify(demoPlan({ quick: true }))).not.toBe(JSON.stringify(demoPlan({ quick: false })));
  });
});

describe('demoPaths', () => {
  it('lays a run out as DIR/RUN/{checkpoint,eval/SPLIT}', () => {
    const p = demoPaths('/x/demo');
    expect(p.data).toBe('/x/demo/data');
    expect(p.base).toBe('/x/demo/base');
    expect(p.run('sft_cot')).toBe('/x/demo/sft_cot');
    expect(p.evaluation('grpo', 'ood')).toBe('/x/demo/grpo/eval/ood');
    expect([p.metrics, p.reportHtml, p.reportMarkdown, p.plan]).toEqual(['/x/demo/metrics.json', '/x/demo/report.html', '/x/demo/report.md', '/x/demo/demo-plan.json']);
    expect(DEMO_OUTPUTS).toEqual(['demo-plan.json', 'demo-stages.json', 'data', 'base', 'sft_nocot', 'sft_cot', 'grpo', 'metrics.json', 'report.md', 'report.html', 'report-assets']);
  });
});
