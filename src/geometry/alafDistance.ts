import type { Trajectory } from '../protocol/types.js';
import { toFlat } from './flatTrajectory.js';
import { requireNonEmpty } from './frechetRecurrence.js';
import { EPS, LocalGeometry, NEAR_PARALLEL } from './localGeometry.js';
import { HeadingGeometry } from './headingGeometry.js';
import { pyMax, pyMin, pyMin3, pythonHypot } from './pythonMath.js';
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

/** The plain discrete Fréchet distance of the last {@link alafDistanceFlat} call made with `withFrechet`. */
let lastFrechet = NaN;

function requireNoInfinity(xy: Float64Array, n: number): void {
  for (let k = 0; k < 2 * n; k++) {
    const v = xy[k]!;
    if (v === Infinity || v === -Infinity) throw new RangeError('angle-length augmented Fréchet distance of an infinite coordinate');
  }
}

/**
 * Slack under the square root of the angle bound (see {@link angleUpperBound}), covering the error of the fast
 * cosine against the official one (a few ulps).
 */
const ANGLE_BOUND_MARGIN = 1e-14;

/**
 * An upper bound of `acos(cos)` from s = sin(θ/2) = √((1 − cos)/2): θ = 2·asin(s) ≤ 2s + (π − 2)s³ on [0, 1]
 * (equal at both ends; asin(s) − s − (π/2 − 1)s³ has one hump below 0 in between). Tight to ~s³/3 for small angles.
 */
function angleUpperBound(cos: number): number {
  const s = Math.sqrt((1 - cos) * 0.5 + ANGLE_BOUND_MARGIN);
  return s * (2 + (Math.PI - 2) * s * s);
}
/** Absolute margin when deciding that a pair's cost cannot exceed the cheapest way into its cell. */
const SKIP_MARGIN = 1e-12;

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

/**
 * Both recurrences (ALAF, and with `withFrechet` the plain discrete Fréchet over the same distances) in one pass
 * over the pairs, two rolling rows each. The ALAF cost of a pair is only needed when it can exceed the cheapest
 * way into its cell, `min(C(i−1,j), C(i−1,j−1), C(i,j−1))`: when an upper bound of it (the distance and length
 * terms plus λθ times {@link angleUpperBound}) is below that, `C(i,j)` is that minimum exactly and the `acos` is
 * skipped.
 */
function alafRecurrence(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  withFrechet: boolean,
): number {
  const gp = geometryP;
  const { dirX: qx, dirY: qy, dirNorm: qNorm, length: qLen, logLength: qLog, logLengthEps: qLogEps } = geometryQ;
  let prev = scratch(Slot.rowA, n);
  let cur = scratch(Slot.rowB, n);
  let prev2 = scratch(Slot.rowA2, n);
  let cur2 = scratch(Slot.rowB2, n);
  for (let i = 0; i < m; i++) {
    const px = pxy[2 * i]!;
    const py = pxy[2 * i + 1]!;
    const tx = gp.dirX[i]!;
    const ty = gp.dirY[i]!;
    const pFlat = gp.dirNorm[i]! < EPS;
    const pLong = gp.length[i]! > EPS;
    const pLog = gp.logLength[i]!;
    const pLogEps = gp.logLengthEps[i]!;
    let left = 0;
    let diag = 0;
    let left2 = 0;
    let diag2 = 0;
    for (let j = 0; j < n; j++) {
      const dx = px - qxy[2 * j]!;
      const dy = py - qxy[2 * j + 1]!;
      let d = Math.sqrt(dx * dx + dy * dy);
      if (!(d > 1e-150 && d < 1e150)) d = pythonHypot(dx, dy);
      if (withFrechet) {
        let c2 = d;
        if (i === 0) {
          if (j > 0) c2 = pyMax(left2, d);
        } else {
          const up2 = prev2[j]!;
          c2 = j === 0 ? pyMax(up2, d) : pyMax(pyMin3(up2, diag2, left2), d);
          diag2 = up2;
        }
        cur2[j] = c2;
        left2 = c2;
      }
      // the cheapest way into the cell (NaN-free data only; NaN never passes the skip test below)
      let into: number;
      if (i === 0) {
        into = j === 0 ? -Infinity : left;
      } else {
        const up = prev[j]!;
        into = j === 0 ? up : pyMin3(up, diag, left);
        diag = up;
      }
      // ln(a/b) as ln a − ln b: within a few ulps of the official log of the ratio, one log per point not per pair.
      const ratio = pLong && qLen[j]! > EPS ? pLog - qLog[j]! : pLogEps - qLogEps[j]!;
      const rest = d + lambdaLength * Math.abs(ratio);
      let value: number;
      if (pFlat || qNorm[j]! < EPS) {
        value = rest;
      } else {
        let cos = tx * qx[j]! + ty * qy[j]!;
        if (rest + lambdaAngle * angleUpperBound(cos) + SKIP_MARGIN <= into) {
          cur[j] = left = into; // the cost cannot exceed `into`: C(i, j) = into exactly
          continue;
        }
        // Directions are unit vectors to an ulp, so away from ±1 the official division by |t||u| changes the
        // angle by < 1e-13 and is skipped; near ±1 the cosine is recomputed exactly.
        if (!(cos < NEAR_PARALLEL && cos > -NEAR_PARALLEL)) cos = exactCosine(i, j);
        value = d + lambdaAngle * Math.acos(pyMax(-1, pyMin(1, cos))) + lambdaLength * Math.abs(ratio);
      }
      left = i === 0 && j === 0 ? value : pyMax(into, value);
      cur[j] = left;
    }
    const t = prev;
    prev = cur;
    cur = t;
    const t2 = prev2;
    prev2 = cur2;
    cur2 = t2;
  }
  lastFrechet = withFrechet ? prev2[n - 1]! : NaN;
  return prev[n - 1]!;
}

/**
 * Cells whose heading difference is within this of 0 or π get the official `acos` of the exactly recomputed
 * cosine (there `acos` turns one ulp of the cosine into ~1e-8); elsewhere the heading difference is the angle,
 * within ~1e-13 of the official `acos` (whose own error there is a few ulps over sin(angle)).
 */
const NEAR_PARALLEL_ANGLE = 2e-3;
const TWO_PI = 2 * Math.PI;

const headingsP = new HeadingGeometry();
const headingsQ = new HeadingGeometry();

/**
 * Where the out-of-line paths of the kernel leave their result: a number returned from a call into the hot loop
 * would be boxed there (a heap allocation per cell), one read from a Float64Array is not.
 */
const coldResult = new Float64Array(1);
/** The candidates of the two clamps of a cell (see {@link headingRecurrence}). */
const clamp = new Float64Array(6);

/** {@link exactAngle} into `coldResult[0]`. */
function exactAngleInto(i: number, j: number): void {
  coldResult[0] = exactAngle(i, j);
}

/** `pythonHypot` into `coldResult[0]`. */
function hypotInto(dx: number, dy: number): void {
  coldResult[0] = pythonHypot(dx, dy);
}

/** The official angle of pair (i, j) from the exact directions of the two points (0 when either is zero). */
function exactAngle(i: number, j: number): number {
  const p = headingsP;
  const q = headingsQ;
  p.ensureExactAt(i);
  q.ensureExactAt(j);
  const tn = p.exactDirNorm[i]!;
  const vn = q.exactDirNorm[j]!;
  if (tn < EPS || vn < EPS) return 0;
  const cos = (p.exactDirX[i]! * q.exactDirX[j]! + p.exactDirY[i]! * q.exactDirY[j]!) / (tn * vn);
  return Math.acos(pyMax(-1, pyMin(1, cos)));
}

/**
 * The fast kernel, on trajectories that {@link HeadingGeometry.compute} accepted (finite coordinates) and finite
 * weights: every cost is finite and not −0, so Python's `max(a, b)` (`b > a ? b : a`) can be computed without a
 * branch as `a·(1 − k) + b·k` with k = +(b > a), which is exact for such numbers (a branch on these
 * data-dependent comparisons mispredicts about half the time, which costs more than the two multiplications); the
 * step along a row is a clamp done by one indexed load of a small Float64Array, which keeps the row's
 * dependency chain short. The angle of a pair is the difference of the two headings, except near 0 and π where
 * it is the official `acos` of the exact cosine.
 */
function headingRecurrence(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  withFrechet: boolean,
): number {
  const { heading: pHeading, angleWeight: pWeight, length: pLength, logLength: pLogLength } = headingsP;
  const { heading: qHeading, angleWeight: qWeight, length: qLength, logLength: qLogLength } = headingsQ;
  const withEps = headingsP.hasShort || headingsQ.hasShort;
  if (withEps) {
    headingsP.withEpsLogs();
    headingsQ.withEpsLogs();
  }
  const pLogEps = headingsP.logLengthEps;
  const qLogEps = headingsQ.logLengthEps;
  let prev = scratch(Slot.rowA, n);
  let cur = scratch(Slot.rowB, n);
  let prev2 = scratch(Slot.rowA2, n);
  let cur2 = scratch(Slot.rowB2, n);
  for (let i = 0; i < m; i++) {
    const px = pxy[2 * i]!;
    const py = pxy[2 * i + 1]!;
    const h = pHeading[i]!;
    const weight = pWeight[i]!;
    const pLong = pLength[i]! > EPS;
    const logLength = pLogLength[i]!;
    const logLengthEps = pLogEps[i]!;
    let left = 0;
    let diag = 0;
    let left2 = 0;
    let diag2 = 0;
    // Selections are written out inline as `a·(1 − k) + b·k` with k = +(comparison): exact here, branch-free,
    // and cheap even before the JIT optimises this loop (a call per selection is not).
    for (let j = 0; j < n; j++) {
      const dx = px - qxy[2 * j]!;
      const dy = py - qxy[2 * j + 1]!;
      let d = Math.sqrt(dx * dx + dy * dy);
      if (!(d > 1e-150) && (dx !== 0 || dy !== 0)) {
        hypotInto(dx, dy); // underflow: the exact hypot
        d = coldResult[0]!;
      }
      // the difference of two headings in (−π, π], folded into [0, π]
      const turn = Math.abs(h - qHeading[j]!);
      const otherWay = TWO_PI - turn;
      let k = +(otherWay < turn);
      let angle = turn * (1 - k) + otherWay * k;
      if (angle < NEAR_PARALLEL_ANGLE || angle > Math.PI - NEAR_PARALLEL_ANGLE) {
        exactAngleInto(i, j);
        angle = coldResult[0]!;
      }
      // ln(a/b) as ln a − ln b: within a few ulps of the official log of the ratio, one log per segment.
      let ratio = logLength - qLogLength[j]!;
      if (withEps && !(pLong && qLength[j]! > EPS)) ratio = logLengthEps - qLogEps[j]!;
      // a zero direction has angle 0 with anything: weight 0 (angle · 1 is the angle, exactly)
      const value = d + lambdaAngle * (angle * (weight * qWeight[j]!)) + lambdaLength * Math.abs(ratio);
      // C(i, j) = max(min(m, C(i, j−1)), cost) with m = min(C(i−1, j), C(i−1, j−1)) is C(i, j−1) clamped to
      // [cost, max(m, cost)]; the bounds are off the row's dependency chain, and the clamp is one indexed load
      // (k picks cost, C(i, j−1) or the upper bound), cheaper in latency than two arithmetic selections.
      let x = value;
      let x2 = d;
      let hi = Number.MAX_VALUE;
      let hi2 = Number.MAX_VALUE;
      if (i > 0) {
        const up = prev[j]!;
        const up2 = prev2[j]!;
        let low = up;
        let low2 = up2;
        if (j > 0) {
          k = +(diag < low);
          low = low * (1 - k) + diag * k;
          k = +(diag2 < low2);
          low2 = low2 * (1 - k) + diag2 * k;
          x = left;
          x2 = left2;
        }
        k = +(value > low);
        hi = low * (1 - k) + value * k;
        k = +(d > low2);
        hi2 = low2 * (1 - k) + d * k;
        if (j === 0) {
          x = hi;
          x2 = hi2;
        }
        diag = up;
        diag2 = up2;
      } else if (j > 0) {
        x = left;
        x2 = left2;
      }
      clamp[0] = value;
      clamp[1] = x;
      clamp[2] = hi;
      left = clamp[+(x >= value) + +(x > hi)]!;
      clamp[3] = d;
      clamp[4] = x2;
      clamp[5] = hi2;
      left2 = clamp[3 + +(x2 >= d) + +(x2 > hi2)]!;
      cur[j] = left;
      cur2[j] = left2;
    }
    const t = prev;
    prev = cur;
    cur = t;
    const t2 = prev2;
    prev2 = cur2;
    cur2 = t2;
  }
  lastFrechet = withFrechet ? prev2[n - 1]! : NaN;
  return prev[n - 1]!;
}

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
  const lambdaAngle = options.lambdaAngle ?? ALAF_DEFAULTS.lambdaAngle;
  const lambdaLength = options.lambdaLength ?? ALAF_DEFAULTS.lambdaLength;
  return alafDistanceWeighted(pxy, m, qxy, n, lambdaAngle, lambdaLength, withFrechet);
}

/**
 * {@link alafDistanceFlat} with the weights as numbers (no options object: the reward calls this per pair).
 *
 * @example
 * alafDistanceWeighted(Float64Array.of(0, 0, 1, 0), 2, Float64Array.of(0, 1, 1, 1), 2, 0.25, 0.1, true); // 1
 * lastDiscreteFrechet(); // 1
 */
export function alafDistanceWeighted(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  withFrechet: boolean,
): number {
  if (m === 0 || n === 0) throw new RangeError('angle-length augmented Fréchet distance of an empty trajectory');
  if (
    Number.isFinite(lambdaAngle) &&
    Number.isFinite(lambdaLength) &&
    headingsP.compute(pxy, m) &&
    headingsQ.compute(qxy, n)
  ) {
    return headingRecurrence(pxy, m, qxy, n, lambdaAngle, lambdaLength, withFrechet);
  }
  // The general path: NaN coordinates (and infinite ones: an error), non-finite weights.
  requireNoInfinity(pxy, m);
  requireNoInfinity(qxy, n);
  geometryP.compute(pxy, m);
  geometryQ.compute(qxy, n);
  if (geometryP.hasShort || geometryQ.hasShort) {
    geometryP.withEpsLogs();
    geometryQ.withEpsLogs();
  }
  return alafRecurrence(pxy, m, qxy, n, lambdaAngle, lambdaLength, withFrechet);
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
