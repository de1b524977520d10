import type { Trajectory } from '../protocol/types.js';
import { toFlat } from './flatTrajectory.js';
import { frechetFirstRow, frechetNextRow, requireNonEmpty } from './frechetRecurrence.js';
import { EPS, LocalGeometry, NEAR_PARALLEL } from './localGeometry.js';
import { pointDistance } from './pointDistance.js';
import { pyMax, pyMin } from './pythonMath.js';
import { scratch, Slot } from './scratch.js';

/** Weights of the angle and length terms of {@link alafDistance}. */
export interface AlafOptions {
  /** λθ, weight of the angle between local directions (radians). Default 0.25. */
  readonly lambdaAngle?: number;
  /** λr, weight of |ln(ℓP/ℓQ)|, the log ratio of local lengths. Default 0.10. */
  readonly lambdaLength?: number;
}

/** The official defaults: λθ = 0.25, λr = 0.10. */
export const ALAF_DEFAULTS = { lambdaAngle: 0.25, lambdaLength: 0.1 } as const;

const geometryP = new LocalGeometry();
const geometryQ = new LocalGeometry();

function requireNoInfinity(xy: Float64Array, n: number): void {
  for (let k = 0; k < 2 * n; k++) {
    const v = xy[k]!;
    if (v === Infinity || v === -Infinity) throw new RangeError('angle-length augmented Fréchet distance of an infinite coordinate');
  }
}

/**
 * The ALAF costs of point `i` of P against each of the `n` points of Q, into `cost`; with `euclid`, the plain
 * distances too (the discrete Fréchet diagnostic shares them).
 */
function fillAlafRow(
  pxy: Float64Array,
  i: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  cost: Float64Array,
  euclid: Float64Array | undefined,
): void {
  const gp = geometryP;
  const gq = geometryQ;
  const px = pxy[2 * i]!;
  const py = pxy[2 * i + 1]!;
  const tx = gp.dirX[i]!;
  const ty = gp.dirY[i]!;
  const tn = gp.dirNorm[i]!;
  const pFlat = tn < EPS;
  const pLong = gp.length[i]! > EPS;
  const pLog = gp.logLength[i]!;
  const pLogEps = gp.logLengthEps[i]!;
  const { dirX: qx, dirY: qy, dirNorm: qNorm, length: qLen, logLength: qLog, logLengthEps: qLogEps } = gq;
  for (let j = 0; j < n; j++) {
    const d = pointDistance(px - qxy[2 * j]!, py - qxy[2 * j + 1]!);
    if (euclid !== undefined) euclid[j] = d;
    const vn = qNorm[j]!;
    let angle = 0;
    if (!pFlat && !(vn < EPS)) {
      // Directions are unit vectors to an ulp, so away from ±1 the official division by |t||u| changes the
      // angle by < 1e-13 and is skipped; near ±1 the cosine is recomputed exactly.
      let cos = tx * qx[j]! + ty * qy[j]!;
      if (!(cos < NEAR_PARALLEL && cos > -NEAR_PARALLEL)) cos = exactCosine(i, j);
      angle = Math.acos(pyMax(-1, pyMin(1, cos)));
    }
    // ln(a/b) as ln a − ln b: within a few ulps of the official log of the ratio, one log per point not per pair.
    const ratio = pLong && qLen[j]! > EPS ? pLog - qLog[j]! : pLogEps - qLogEps[j]!;
    cost[j] = d + lambdaAngle * angle + lambdaLength * Math.abs(ratio);
  }
}

/**
 * The official `(u·v)/(|u||v|)` of directions `i` of P and `j` of Q from the bit-exact directions: used where the
 * cosine is near ±1 and one ulp would move the angle by ~1e-8.
 */
function exactCosine(i: number, j: number): number {
  geometryP.ensureExact();
  geometryQ.ensureExact();
  const tn = geometryP.exactDirNorm[i]!;
  const vn = geometryQ.exactDirNorm[j]!;
  return (geometryP.exactDirX[i]! * geometryQ.exactDirX[j]! + geometryP.exactDirY[i]! * geometryQ.exactDirY[j]!) / (tn * vn);
}

/** The plain discrete Fréchet distance of the last {@link alafDistanceFlat} call made with `withFrechet`. */
let lastFrechet = NaN;

/**
 * {@link alafDistance} on interleaved coordinates (`m` points of the reference in `pxy`, `n` of the prediction
 * in `qxy`); with `withFrechet`, the plain discrete Fréchet distance is computed in the same pass and can be read
 * with {@link lastDiscreteFrechet}.
 *
 * @example
 * alafDistanceFlat(Float64Array.of(0, 0, 1, 0), 2, Float64Array.of(0, 1, 1, 1), 2); // 1
 */
export function alafDistanceFlat(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  options: AlafOptions = {},
  withFrechet = false,
): number {
  if (m === 0 || n === 0) throw new RangeError('angle-length augmented Fréchet distance of an empty trajectory');
  requireNoInfinity(pxy, m);
  requireNoInfinity(qxy, n);
  const lambdaAngle = options.lambdaAngle ?? ALAF_DEFAULTS.lambdaAngle;
  const lambdaLength = options.lambdaLength ?? ALAF_DEFAULTS.lambdaLength;
  geometryP.compute(pxy, m);
  geometryQ.compute(qxy, n);
  if (geometryP.hasShort || geometryQ.hasShort) {
    geometryP.withEpsLogs();
    geometryQ.withEpsLogs();
  }
  const cost = scratch(Slot.cost, n);
  let prev = scratch(Slot.rowA, n);
  let cur = scratch(Slot.rowB, n);
  const euclid = withFrechet ? scratch(Slot.cost2, n) : undefined;
  let prev2 = scratch(Slot.rowA2, n);
  let cur2 = scratch(Slot.rowB2, n);
  for (let i = 0; i < m; i++) {
    fillAlafRow(pxy, i, qxy, n, lambdaAngle, lambdaLength, cost, euclid);
    if (i === 0) {
      frechetFirstRow(cost, prev, n);
      if (euclid !== undefined) frechetFirstRow(euclid, prev2, n);
      continue;
    }
    frechetNextRow(prev, cost, cur, n);
    const t = prev;
    prev = cur;
    cur = t;
    if (euclid !== undefined) {
      frechetNextRow(prev2, euclid, cur2, n);
      const t2 = prev2;
      prev2 = cur2;
      cur2 = t2;
    }
  }
  lastFrechet = withFrechet ? prev2[n - 1]! : NaN;
  return prev[n - 1]!;
}

/** The discrete Fréchet distance computed by the last `alafDistanceFlat(…, withFrechet = true)` call. */
export function lastDiscreteFrechet(): number {
  return lastFrechet;
}

/**
 * Angle-length augmented Fréchet distance (ALAF; the official code calls it "orientation-sensitive discrete
 * Fréchet"), un-normalised, with the exact semantics of the VLA-R1 reward (`_os_discrete_frechet`):
 *
 * `cost(i, j) = ‖P_i − Q_j‖ + λθ·angle(t_Pi, t_Qj) + λr·|ln(ℓ_Pi / ℓ_Qj)|` (see {@link LocalGeometry} for t and ℓ),
 * where the angle is `acos` of the cosine clamped to [−1, 1] (0 when either direction is shorter than 1e-12; a
 * NaN cosine clamps to 1, as with Python's `min`) and the log ratio uses `(ℓ_P + 1e-12)/(ℓ_Q + 1e-12)` unless
 * both lengths exceed 1e-12; then the discrete Fréchet recurrence over the costs. No resampling.
 *
 * `p` is the reference (ground truth) and `q` the prediction: the value is symmetric except in how NaN
 * coordinates propagate. Throws a RangeError on an empty trajectory or an infinite coordinate (Python raises on
 * the first and can hit `log(0)` with the second); NaN coordinates are allowed and behave as in Python.
 * Iterative, allocation-free once warm, any length.
 *
 * @example
 * alafDistance([[0, 0], [1, 0]], [[0, 0], [1, 0]]); // 0
 * alafDistance([[0, 0], [1, 0]], [[0, 1], [1, 1]]); // 1 (parallel, same lengths: only the offset counts)
 */
export function alafDistance(p: Trajectory, q: Trajectory, options: AlafOptions = {}): number {
  requireNonEmpty(p, q, 'angle-length augmented Fréchet distance');
  return alafDistanceFlat(toFlat(p, Slot.pFlat), p.length, toFlat(q, Slot.qFlat), q.length, options);
}
