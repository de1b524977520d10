/**
 * `vla-r1 demo --quick` end to end: spawns the compiled CLI (`npm run build` first; `npm test` does it).
 * Checks the files, the shape of metrics.json, the printed table and the last line, and that a rerun reuses
 * finished stages and redoes only an incomplete one. (The quick plan is a smoke test: its numbers mean nothing.)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../src/data/records.js';
import { meanPredictorMetrics } from '../src/eval/baselines.js';
import { demoMetricsSchema } from '../src/eval/demo-report-table.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VLA_R1_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir = '';
let out = '';
let first: Run;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before this test`);
  dir = mkdtempSync(join(tmpdir(), 'vla-r1-demo-'));
  out = join(dir, 'demo');
  first = await runCli(['demo', '--quick', '--out', out]);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vla-r1 demo --quick', () => {
  it('runs every stage and ends with the line naming the report', () => {
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    for (let i = 1; i <= 12; i++) expect(first.stderr).toContain(`demo: stage ${i}/12 `);
    expect(first.stderr).toMatch(/demo: stage 2\/12 train the grounding base both SFT runs start from/);
    expect(first.stderr).toMatch(/eta \d+(m\d\ds|s)/);
    const lines = first.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(`report: ${join(out, 'report.html')} (also ${join(out, 'report.md')})`);
    expect(lines).toContain(`metrics: ${join(out, 'metrics.json')}`);
  });

  it('prints the headline table beside the paper and the relative gains', () => {
    const lines = first.stdout.split('\n');
    for (const label of ['plain SFT (no CoT)', 'CoT-SFT', 'CoT-SFT + GRPO']) {
      expect(lines.some((l) => l.startsWith(`${label} `) && l.includes(' ours '))).toBe(true);
    }
    expect(lines.find((l) => l.startsWith('VLA-R1-3B'))).toMatch(/36\.51 +106\.20 +97\.90 +71\.12 +91\.74 +│ +33\.96 +114\.30 +98\.43 +68\.97 +93\.90$/);
    expect(lines.find((l) => l.startsWith('CoT-SFT + GRPO vs CoT-SFT'))).toMatch(/\+28\.7%.*−26\.4%/);
    expect(lines.find((l) => l.startsWith('CoT-SFT vs plain SFT'))).toMatch(/\+19\.5%.*−2\.9%/);
    expect(lines.find((l) => l.startsWith('mean predictor (image-blind) '))).toMatch(/ ours, baseline +\d+\.\d\d( +\d+\.\d\d){4} +│( +\d+\.\d\d){5}$/);
    const margins = lines.findIndex((l) => l.startsWith('Margin over the mean predictor'));
    expect(margins).toBeGreaterThan(0);
    expect(lines.slice(margins).find((l) => l.startsWith('CoT-SFT + GRPO '))).toMatch(/^CoT-SFT \+ GRPO +[+−]\d+\.\d\d +\d+\.\d\d× +│ +[+−]\d+\.\d\d +\d+\.\d\d×$/);
    expect(lines.slice(margins).find((l) => l.startsWith('target '))).toMatch(/^target +≥ \+10\.00 +≤ 0\.80× +│ +≥ \+10\.00 +≤ 0\.80×$/);
  });

  it('writes metrics.json as {runs: {RUN: {test, ood}}, baseline: {test, ood}} with every record counted', async () => {
    const json = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as unknown;
    const metrics = demoMetricsSchema.parse(json);
    expect(Object.keys(json as object)).toEqual(['runs', 'baseline']);
    expect(Object.keys(metrics.runs)).toEqual(['sft_nocot', 'sft_cot', 'grpo']);
    for (const run of Object.values(metrics.runs)) {
      expect(Object.keys(run)).toEqual(['test', 'ood']);
      for (const m of Object.values(run)) expect(m.affordance.n + m.trajectory.n).toBe(8);
    }
    // The baseline is the mean predictor of data/train.json, scored on data/test.json and data/ood.json.
    const actions = async (split: string) => (await readRecords(join(out, 'data', `${split}.json`))).map((r) => r.action);
    const train = await actions('train');
    expect(train).toHaveLength(48);
    expect(metrics.baseline).toEqual({ test: meanPredictorMetrics(train, await actions('test')), ood: meanPredictorMetrics(train, await actions('ood')) });
    for (const m of Object.values(metrics.baseline)) {
      expect(m.affordance.n + m.trajectory.n).toBe(8);
      expect(m.affordance.parse_failure_rate).toBe(0);
      expect(m.trajectory.parse_failure_rate).toBe(0);
    }
  });

  it('writes the reports, plots, example pictures, dataset, checkpoints and evaluations', () => {
    for (const file of ['report.md', 'report.html', 'demo-plan.json', 'data/manifest.json', 'data/train.json', 'report-assets/sft-loss.png', 'report-assets/grpo-reward.png', 'report-assets/grpo-kl.png', 'report-assets/grpo-agreement.png']) {
      expect(existsSync(join(out, file)), file).toBe(true);
    }
    for (const run of ['sft_nocot', 'sft_cot', 'grpo']) {
      expect(existsSync(join(out, run, 'checkpoint', 'model.safetensors'))).toBe(true);
      expect(existsSync(join(out, run, 'metrics.jsonl'))).toBe(true);
      for (const split of ['test', 'ood']) expect(existsSync(join(out, run, 'eval', split, 'predictions.jsonl'))).toBe(true);
    }
    // One picture per kind and split (examplesPerKind 1 in the quick plan).
    expect(readdirSync(join(out, 'report-assets', 'examples')).sort()).toEqual(['ood-0000.png', 'ood-0001.png', 'test-0000.png', 'test-0001.png']);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html.match(/src="data:image\/png;base64,/g)?.length).toBe(4 + 4); // four plots, four examples
    expect(html).toContain('36.51');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('![');
    expect(md).toContain('| VLA-R1-3B (CoT-SFT + GRPO) | paper, Table III | 36.51 |');
    expect(md).toMatch(/\n\|---\|---\|---:(\|---:){9}\|\n\| mean predictor \(image-blind\) \| ours, baseline \| \d+\.\d\d \|/);
    expect(md).toMatch(/\n\| CoT-SFT \+ GRPO \| [+−]\d+\.\d\d \| \d+\.\d\d× \| [+−]\d+\.\d\d \| \d+\.\d\d× \|\n/);
    expect(html).toContain('<tr class="baseline"><td class="l">mean predictor (image-blind)</td><td class="l">ours, baseline</td>');
  });

  it('reuses finished stages on a rerun, and redoes only an incomplete one', async () => {
    const metricsBefore = readFileSync(join(out, 'metrics.json'), 'utf8');
    rmSync(join(out, 'grpo', 'eval', 'ood', 'metrics.json'));
    const again = await runCli(['demo', '--quick', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr.match(/done already, reusing/g)?.length).toBe(10);
    expect(again.stderr).toMatch(/demo: stage 11\/12 evaluate CoT-SFT \+ GRPO on the out-of-domain split .*\| elapsed/);
    expect(readFileSync(join(out, 'metrics.json'), 'utf8')).toBe(metricsBefore);
    expect(again.stdout.trimEnd().split('\n').at(-1)).toMatch(/^report: /);
  });

  it('evaluates a run again when its checkpoint is newer than its predictions', async () => {
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(out, 'sft_nocot', 'checkpoint', 'config.json'), later, later);
    const again = await runCli(['demo', '--quick', '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr.match(/done already, reusing/g)?.length).toBe(9);
    expect(again.stderr).toContain(`demo: the predictions in ${join(out, 'sft_nocot', 'eval', 'test')} are older than`);
    expect(again.stderr).toMatch(/demo: stage 5\/12 evaluate plain SFT \(no CoT\) on the out-of-domain split/);
  });

  it('refuses to mix another plan into the folder without --fresh, and keeps what is there', async () => {
    const other = await runCli(['demo', '--out', out]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/demo-plan\.json: .* holds a demo made with the --quick plan; pass --fresh/);
    expect(existsSync(join(out, 'metrics.json'))).toBe(true);
  });
});
