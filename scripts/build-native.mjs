#!/usr/bin/env node
/**
 * Compile the C reward (native/reward.c) into dist/native/reward.node, a Node-API addon, with the machine's C
 * compiler (`CC`, else `cc`) and Node's own headers (beside the `node` binary). Without either, it says so
 * and leaves the addon out: every reward is then scored in TypeScript, with the same values, more slowly.
 * Skipped when the addon is newer than its source. Part of `npm run build`. `VLA_R1_NATIVE_CFLAGS` adds compiler
 * flags; `VLA_R1_NATIVE_OUT` builds somewhere else than dist/native/reward.node.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'reward.c');
const target = process.env.VLA_R1_NATIVE_OUT || join(root, 'dist', 'native', 'reward.node');
const headers = [process.env.VLA_R1_NODE_HEADERS, join(dirname(process.execPath), '..', 'include', 'node')].filter(Boolean);
const include = headers.find((dir) => existsSync(join(dir, 'node_api.h')));
const compiler = process.env.CC || 'cc';

function skip(why) {
  rmSync(target, { force: true }); // an addon older than its source is not loaded
  console.warn(`vla-r1: the C reward is not built (${why}); rewards are scored in TypeScript, with the same values.`);
  process.exit(0);
}

if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) process.exit(0);
if (include === undefined) skip(`no node_api.h in ${headers.join(' or ')}`);
if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) skip(`no C compiler '${compiler}'`);
mkdirSync(dirname(target), { recursive: true });
// -ffp-contract=off: no fused multiply-adds, so every operation rounds as in the TypeScript reward and Python.
const flags = ['-O2', '-std=gnu11', '-fPIC', '-shared', '-ffp-contract=off', '-fno-math-errno', '-Wall', '-Wextra'];
// Extra flags, e.g. VLA_R1_NATIVE_CFLAGS=-DVLA_R1_NO_SIMD for the portable loops (the tests build that too).
flags.push(...(process.env.VLA_R1_NATIVE_CFLAGS ?? '').split(/\s+/).filter(Boolean));
// The addon's napi_* symbols come from the node process that loads it.
if (process.platform === 'darwin') flags.push('-undefined', 'dynamic_lookup');
const run = spawnSync(compiler, [...flags, '-I', include, source, '-o', target, '-lm'], { stdio: 'inherit' });
if (run.status !== 0) {
  // In CI a C reward that does not compile is an error; elsewhere the TypeScript reward takes over.
  if (process.env.CI === 'true') {
    console.error(`vla-r1: compiling ${source} failed (exit ${run.status}).`);
    process.exit(1);
  }
  skip(`${compiler} failed on ${source}, exit ${run.status}`);
}
