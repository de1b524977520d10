/**
 * `scripts/build-native.mjs`, run on a copy of the project's layout (scripts/, native/) in a temporary folder:
 * it compiles the C reward into dist/native/reward.node, leaves an up-to-date addon alone, and without a
 * compiler says so, exits 0 and removes a stale addon (which would score with old code).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REWARD_SLOTS, scoreIntoTypeScript } from '../src/rewards/scoreInto.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const compilerThere = spawnSync(process.env['CC'] ?? 'cc', ['--version'], { stdio: 'ignore' }).status === 0;

let dir: string;
let target: string;

function build(env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(dir, 'scripts/build-native.mjs')], { encoding: 'utf8', env: { ...process.env, CI: '', ...env } });
  return { status: run.status, stderr: run.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vla-r1-build-native-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'native'));
  copyFileSync(join(ROOT, 'scripts/build-native.mjs'), join(dir, 'scripts/build-native.mjs'));
  copyFileSync(join(ROOT, 'native/reward.c'), join(dir, 'native/reward.c'));
  target = join(dir, 'dist/native/reward.node');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('build-native', () => {
  it.runIf(compilerThere)('compiles an addon that scores, and leaves it alone while it is newer than its source', () => {
    expect(build().status).toBe(0);
    expect(existsSync(target)).toBe(true);
    const addon = createRequire(import.meta.url)(target) as { score(r: string, g: string): boolean; slots: ArrayBuffer };
    const slots = new Float64Array(addon.slots);
    slots[0] = 0.25;
    slots[1] = 0.1;
    const answer = '<think>a</think><output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>';
    expect(addon.score(answer, answer)).toBe(true);
    expect(slots[0]).toBe(1);
    const built = statSync(target).mtimeMs;
    expect(build().status).toBe(0);
    expect(statSync(target).mtimeMs).toBe(built);
  });

  it('without a C compiler, says so, exits 0 and removes an addon older than its source', () => {
    mkdirSync(join(dir, 'dist/native'), { recursive: true });
    writeFileSync(target, 'stale');
    utimesSync(target, new Date(0), new Date(0));
    const run = build({ CC: 'vla-r1-no-such-compiler' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("the C reward is not built (no C compiler 'vla-r1-no-such-compiler')");
    expect(existsSync(target)).toBe(false);
  });

  it.runIf(compilerThere)('fails in CI when the source does not compile', () => {
    writeFileSync(join(dir, 'native/reward.c'), 'this is not C');
    expect(build({ CI: 'true' }).status).toBe(1);
    expect(build().status).toBe(0); // elsewhere: the TypeScript reward takes over
    expect(existsSync(target)).toBe(false);
  });

  it.runIf(compilerThere)('builds the portable loops (-DVLA_R1_NO_SIMD), which score the fixture as the TypeScript reward does', () => {
    const out = join(dir, 'portable.node');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/build-native.mjs')], {
      encoding: 'utf8',
      env: { ...process.env, VLA_R1_NATIVE_OUT: out, VLA_R1_NATIVE_CFLAGS: '-DVLA_R1_NO_SIMD' },
    });
    expect(run.status, run.stderr).toBe(0);
    const addon = createRequire(import.meta.url)(out) as { score(r: string, g: string): boolean; slots: ArrayBuffer };
    const slots = new Float64Array(addon.slots);
    const expected = new Float64Array(REWARD_SLOTS);
    const lines = readFileSync(join(ROOT, 'test/fixtures/reward-official-400.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    let taken = 0;
    for (const line of lines) {
      const c = JSON.parse(line) as { response: string; ground_truth: string };
      slots[0] = 0.25;
      slots[1] = 0.1;
      if (!addon.score(c.response, c.ground_truth)) continue;
      taken++;
      scoreIntoTypeScript(c.response, c.ground_truth, expected);
      for (let k = 0; k < REWARD_SLOTS; k++) {
        if (Number.isNaN(expected[k])) expect(slots[k]).toBeNaN();
        else expect(Math.abs(slots[k]! - expected[k]!)).toBeLessThanOrEqual(1e-12);
      }
    }
    expect(taken).toBeGreaterThanOrEqual(360);
  });
});
