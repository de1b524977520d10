/**
 * The reward's common case in C (`native/reward.c`, a Node-API addon compiled by `npm run build` when a C
 * compiler and Node's headers are there): plain box and trajectory payloads, scored with the same values as
 * the TypeScript reward (to ~1e-16: the C library's `atan2`, `log` and `acos` against V8's). Anything unusual
 * is declined and scored in TypeScript, so the addon changes only the speed.
 *
 * Without the addon (no compiler at install, or `VLA_R1_NATIVE=0` in the environment), every reward is scored
 * in TypeScript.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

interface RewardAddon {
  /** The reward into {@link RewardAddon.slots} (λθ, λr in its first two doubles on entry); false to decline. */
  score(response: string, groundTruth: string): boolean;
  /** Nine doubles shared with the C code: the weights in, the reward's slots (as `RewardSlot`) out. */
  slots: ArrayBuffer;
}

/** The slots the C code writes (`RewardSlot` of scoreInto.ts, which imports this module). */
const SLOTS = 9;

/**
 * Where the build puts the addon, from this module in `dist/src/rewards/` (the compiled package) or in
 * `src/rewards/` (the sources, as the tests run them).
 */
const CANDIDATES = ['../../native/reward.node', '../../dist/native/reward.node'];

/** Why the addon is not used (empty when it is). */
let status = '';

function loadAddon(): RewardAddon | undefined {
  if (process.env['VLA_R1_NATIVE'] === '0') {
    status = 'disabled by VLA_R1_NATIVE=0';
    return undefined;
  }
  const path = CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url))).find((p) => existsSync(p));
  if (path === undefined) {
    status = 'not built (npm run build compiles it where a C compiler and Node headers are installed)';
    return undefined;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as Partial<RewardAddon>;
    if (typeof addon.score !== 'function' || !(addon.slots instanceof ArrayBuffer) || addon.slots.byteLength !== 8 * SLOTS) {
      throw new Error('not the addon of this version (rebuild: npm run build)');
    }
    return addon as RewardAddon;
  } catch (error: unknown) {
    status = `cannot be loaded: ${error instanceof Error ? error.message : String(error)}`;
    return undefined;
  }
}

const addon = loadAddon();
/** The addon, while it is switched on ({@link useNativeReward}). */
let active = addon;
const slots = new Float64Array(addon?.slots ?? new ArrayBuffer(8 * SLOTS));

/**
 * Whether the C reward is loaded; see {@link nativeRewardStatus} for why not.
 *
 * @example
 * nativeRewardAvailable(); // true after `npm run build` on a machine with a C compiler
 */
export function nativeRewardAvailable(): boolean {
  return addon !== undefined;
}

/**
 * Switch the C reward on or off for this thread (it is on when available); returns whether it is now in use.
 * Off, every reward is scored in TypeScript: for comparing the two on your own data, and for benchmarks.
 *
 * @example
 * useNativeReward(false); // false: rewards are scored in TypeScript from here on
 * useNativeReward(true); // true where the addon is built
 */
export function useNativeReward(enabled: boolean): boolean {
  active = enabled ? addon : undefined;
  return active !== undefined;
}

/**
 * Why the C reward is not used ('' when it is).
 *
 * @example
 * nativeRewardStatus(); // '' or e.g. 'disabled by VLA_R1_NATIVE=0'
 */
export function nativeRewardStatus(): string {
  return status;
}

/**
 * Score a pair in C into `out` (the slots of `RewardSlot`, as `scoreInto` writes them) when the addon is
 * in use and takes the pair; false (and `out` left as it was) when it declines.
 *
 * @example
 * const out = new Float64Array(REWARD_SLOTS);
 * const gt = '<think>a</think> <output>[[0.1, 0.2], [0.3, 0.4]]</output>';
 * nativeScoreInto(gt, gt, out, 0.25, 0.1); // true where the addon is built; out[RewardSlot.score] ≈ 1
 */
export function nativeScoreInto(response: string, groundTruth: string, out: Float64Array, lambdaAngle: number, lambdaLength: number): boolean {
  if (active === undefined) return false;
  slots[0] = lambdaAngle;
  slots[1] = lambdaLength;
  if (!active.score(response, groundTruth)) return false;
  for (let k = 0; k < SLOTS; k++) out[k] = slots[k]!;
  return true;
}
