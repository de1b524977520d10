import type { Trajectory } from '../protocol/types.js';
import { toFlat } from './flatTrajectory.js';
import { requireNonEmpty } from './frechetRecurrence.js';
import { EPS, LocalGeometry, NEAR_PARALLEL } from './localGeometry.js';
import { HeadingGeometry } from './headingGeometry.js';
import { pyMax, pyMin, pyMin3, pythonHypot } from './pythonMath.js';
import { frechetBlockRows, frechetCells, frechetSimdAvailable, frechetSimdRows } from './frechetSimd.js';
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

/**
 * Where the recurrences leave their results: ALAF at 0, the plain discrete Fréchet distance at 1 (NaN unless asked
 * for). A double stored in a typed array is not boxed, as one returned from a call or kept in a module variable can be.
 */
const results = new Float64Array(2);

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
): void {
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
  results[0] = prev[n - 1]!;
  results[1] = withFrechet ? prev2[n - 1]! : NaN;
}

/**
 * Cells whose heading difference is within this of 0 or π get the official `acos` of the exactly recomputed
 * cosine (there `acos` turns one ulp of the cosine into ~1e-8); elsewhere the heading difference is the angle,
 * within ~1e-13 of the official `acos` (whose own error there is a few ulps over sin(angle)).
 */
const NEAR_PARALLEL_ANGLE = 2e-3;

const headingsP = new HeadingGeometry();
const headingsQ = new HeadingGeometry();

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

/** Cells of the last {@link fillCostRows} that need the exact arithmetic, as indices into its `out` (grown as needed). */
let exactCells = new Int32Array(64);

/**
 * The ALAF costs and distances of rows `first .. first + count` (points of P against every point of Q) into
 * `out`, from index `at`, as interleaved (cost, distance) pairs, row after row: the distance plus λθ times the
 * angle between the two directions plus λr times |ln(ℓ_P/ℓ_Q)|. The angle is the difference of the two
 * headings, except near 0 and π, where it is the official `acos` of the exact cosine; those cells (and distances
 * that underflow) are listed during the loop and recomputed after it ({@link fillExactCell}), so that the loop
 * makes no call (after a call, the compiled loop would check its arrays again).
 */
function fillCostRows(
  pxy: Float64Array,
  first: number,
  count: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  withEps: boolean,
  out: Float64Array,
  at: number,
): void {
  const twoPi = 2 * Math.PI;
  const parallelBelow = NEAR_PARALLEL_ANGLE;
  const antiparallelAbove = Math.PI - NEAR_PARALLEL_ANGLE;
  const p = headingsP;
  const { heading: qHeading, angleWeight: qWeight, length: qLength, logLength: qLogLength, logLengthEps: qLogEps } = headingsQ;
  if (exactCells.length < count * n) exactCells = new Int32Array(Math.max(count * n, 2 * exactCells.length));
  const exact = exactCells;
  let exactCount = 0;
  let k = at;
  for (let i = first; i < first + count; i++) {
    const px = pxy[2 * i]!;
    const py = pxy[2 * i + 1]!;
    const h = p.heading[i]!;
    const weight = p.angleWeight[i]!;
    const pLong = p.length[i]! > EPS;
    const logLength = p.logLength[i]!;
    const logLengthEps = p.logLengthEps[i]!;
    for (let j = 0; j < n; j++) {
      const dx = px - qxy[2 * j]!;
      const dy = py - qxy[2 * j + 1]!;
      const d = Math.sqrt(dx * dx + dy * dy);
      // the difference of two headings in (−π, π], folded into [0, π]
      const turn = Math.abs(h - qHeading[j]!);
      const otherWay = twoPi - turn;
      const fold = +(otherWay < turn);
      const angle = turn * (1 - fold) + otherWay * fold;
      if (angle < parallelBelow || angle > antiparallelAbove || (!(d > 1e-150) && (dx !== 0 || dy !== 0))) {
        exact[exactCount++] = k;
      }
      // ln(a/b) as ln a − ln b: within a few ulps of the official log of the ratio, one log per segment.
      let ratio = logLength - qLogLength[j]!;
      if (withEps && !(pLong && qLength[j]! > EPS)) ratio = logLengthEps - qLogEps[j]!;
      // a zero direction has angle 0 with anything: weight 0 (angle · 1 is the angle, exactly)
      out[k] = d + lambdaAngle * (angle * (weight * qWeight[j]!)) + lambdaLength * Math.abs(ratio);
      out[k + 1] = d;
      k += 2;
    }
  }
  for (let e = 0; e < exactCount; e++) {
    const cell = (exact[e]! - at) / 2;
    fillExactCell(pxy, first + Math.floor(cell / n), qxy, cell % n, lambdaAngle, lambdaLength, withEps, out, exact[e]!);
  }
}

/**
 * The cost and distance of pair (i, j) into `out[k]`, `out[k + 1]` as {@link fillCostRows} computes them, but
 * with the exact `hypot` where `sqrt(dx² + dy²)` underflows, and the official `acos` where the heading
 * difference is near 0 or π.
 */
function fillExactCell(
  pxy: Float64Array,
  i: number,
  qxy: Float64Array,
  j: number,
  lambdaAngle: number,
  lambdaLength: number,
  withEps: boolean,
  out: Float64Array,
  k: number,
): void {
  const p = headingsP;
  const q = headingsQ;
  const dx = pxy[2 * i]! - qxy[2 * j]!;
  const dy = pxy[2 * i + 1]! - qxy[2 * j + 1]!;
  let d = Math.sqrt(dx * dx + dy * dy);
  if (!(d > 1e-150) && (dx !== 0 || dy !== 0)) d = pythonHypot(dx, dy); // underflow: the exact hypot
  const turn = Math.abs(p.heading[i]! - q.heading[j]!);
  const otherWay = 2 * Math.PI - turn;
  let angle = otherWay < turn ? otherWay : turn;
  if (angle < NEAR_PARALLEL_ANGLE || angle > Math.PI - NEAR_PARALLEL_ANGLE) angle = exactAngle(i, j);
  let ratio = p.logLength[i]! - q.logLength[j]!;
  if (withEps && !(p.length[i]! > EPS && q.length[j]! > EPS)) ratio = p.logLengthEps[i]! - q.logLengthEps[j]!;
  out[k] = d + lambdaAngle * (angle * (p.angleWeight[i]! * q.angleWeight[j]!)) + lambdaLength * Math.abs(ratio);
  out[k + 1] = d;
}

/**
 * The candidates of the selections of {@link frechetRowJs}: a selection is one indexed load of this small
 * array, cheaper than a branch on a data-dependent comparison (mispredicted about half the time).
 */
const pick = new Float64Array(16);

/**
 * One row of both recurrences in JavaScript (where WebAssembly SIMD is missing, see `frechetSimd.ts`), from
 * the interleaved (cost, distance) pairs of the row and the previous row `prev`/`prev2` (ALAF/plain) into
 * `cur`/`cur2`. The costs are finite and never −0, so Python's `max`/`min` reduce to plain comparisons, and any
 * exact selection gives the official values. Along the row, C(i, j) = max(min(m, C(i, j−1)), cost) with
 * m = min(C(i−1, j), C(i−1, j−1)) is C(i, j−1) clamped to [cost, max(m, cost)]: the bounds are off the row's
 * dependency chain, which is one comparison pair and one load per cell.
 */
function frechetRowJs(
  costs: Float64Array,
  n: number,
  first: boolean,
  prev: Float64Array,
  prev2: Float64Array,
  cur: Float64Array,
  cur2: Float64Array,
): void {
  const t = pick;
  let left = costs[0]!;
  let left2 = costs[1]!;
  if (first) {
    cur[0] = left;
    cur2[0] = left2;
    for (let j = 1; j < n; j++) {
      const v = costs[2 * j]!;
      const d = costs[2 * j + 1]!;
      t[0] = left;
      t[1] = v;
      left = t[+(v > left)]!;
      t[2] = left2;
      t[3] = d;
      left2 = t[2 + +(d > left2)]!;
      cur[j] = left;
      cur2[j] = left2;
    }
    return;
  }
  let diag = prev[0]!;
  let diag2 = prev2[0]!;
  t[0] = diag;
  t[1] = left;
  left = t[+(left > diag)]!;
  t[2] = diag2;
  t[3] = left2;
  left2 = t[2 + +(left2 > diag2)]!;
  cur[0] = left;
  cur2[0] = left2;
  for (let j = 1; j < n; j++) {
    const v = costs[2 * j]!;
    const d = costs[2 * j + 1]!;
    const up = prev[j]!;
    const up2 = prev2[j]!;
    t[6] = up;
    t[7] = diag;
    const low = t[6 + +(diag < up)]!;
    t[8] = up2;
    t[9] = diag2;
    const low2 = t[8 + +(diag2 < up2)]!;
    t[10] = low;
    t[11] = v;
    const hi = t[10 + +(v > low)]!;
    t[12] = low2;
    t[13] = d;
    const hi2 = t[12 + +(d > low2)]!;
    diag = up;
    diag2 = up2;
    t[0] = v;
    t[1] = left;
    t[2] = hi;
    left = t[+(left >= v) + +(left > hi)]!;
    t[3] = d;
    t[4] = left2;
    t[5] = hi2;
    left2 = t[3 + +(left2 >= d) + +(left2 > hi2)]!;
    cur[j] = left;
    cur2[j] = left2;
  }
}

/**
 * The fast kernel, on trajectories that {@link HeadingGeometry.compute} accepted (finite coordinates) and finite
 * weights, into {@link results}: block of rows by block of rows, the costs of the pairs ({@link fillCostRows}),
 * then both recurrences over them in WebAssembly SIMD (`frechetSimd.ts`); without WebAssembly, row by row in
 * JavaScript ({@link frechetRowJs}).
 */
function headingRecurrence(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  withFrechet: boolean,
): void {
  const withEps = headingsP.hasShort || headingsQ.hasShort;
  if (withEps) {
    headingsP.withEpsLogs(headingsQ.hasShort);
    headingsQ.withEpsLogs(headingsP.hasShort);
  }
  if (frechetSimdAvailable()) {
    const blockRows = frechetBlockRows(n);
    const cells = frechetCells();
    for (let i = 0; i < m; i += blockRows) {
      const count = Math.min(blockRows, m - i);
      fillCostRows(pxy, i, count, qxy, n, lambdaAngle, lambdaLength, withEps, cells, 2 * n);
      frechetSimdRows(count, n, i === 0);
    }
    results[0] = cells[2 * n - 2]!;
    results[1] = withFrechet ? cells[2 * n - 1]! : NaN;
    return;
  }
  const costs = scratch(Slot.cost, 2 * n);
  let prev = scratch(Slot.rowA, n);
  let cur = scratch(Slot.rowB, n);
  let prev2 = scratch(Slot.rowA2, n);
  let cur2 = scratch(Slot.rowB2, n);
  for (let i = 0; i < m; i++) {
    fillCostRows(pxy, i, 1, qxy, n, lambdaAngle, lambdaLength, withEps, costs, 0);
    frechetRowJs(costs, n, i === 0, prev, prev2, cur, cur2);
    const swap = prev;
    prev = cur;
    cur = swap;
    const swap2 = prev2;
    prev2 = cur2;
    cur2 = swap2;
  }
  results[0] = prev[n - 1]!;
  results[1] = withFrechet ? prev2[n - 1]! : NaN;
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
  computeDistances(pxy, m, qxy, n, lambdaAngle, lambdaLength, withFrechet);
  return results[0]!;
}

/**
 * The ALAF distance and the plain discrete Fréchet distance of P (`m` points in `pxy`) and Q (`n` in `qxy`),
 * written to `out[at]` and `out[at + 1]`: the values of {@link alafDistanceWeighted} with `withFrechet` and of
 * {@link lastDiscreteFrechet}, without a number returned through a call (the reward's hot path). Throws as
 * {@link alafDistance} does.
 *
 * @example
 * const out = new Float64Array(2);
 * alafDistancesInto(Float64Array.of(0, 0, 1, 0), 2, Float64Array.of(0, 1, 1, 1), 2, 0.25, 0.1, out, 0); // out = [1, 1]
 */
export function alafDistancesInto(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  out: Float64Array,
  at: number,
): void {
  computeDistances(pxy, m, qxy, n, lambdaAngle, lambdaLength, true);
  out[at] = results[0]!;
  out[at + 1] = results[1]!;
}

/** Both distances into {@link results} (the fast kernel, or the general path for NaN and non-finite weights). */
function computeDistances(
  pxy: Float64Array,
  m: number,
  qxy: Float64Array,
  n: number,
  lambdaAngle: number,
  lambdaLength: number,
  withFrechet: boolean,
): void {
  if (m === 0 || n === 0) throw new RangeError('angle-length augmented Fréchet distance of an empty trajectory');
  if (
    Number.isFinite(lambdaAngle) &&
    Number.isFinite(lambdaLength) &&
    headingsP.compute(pxy, m) &&
    headingsQ.compute(qxy, n)
  ) {
    headingRecurrence(pxy, m, qxy, n, lambdaAngle, lambdaLength, withFrechet);
    return;
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
  alafRecurrence(pxy, m, qxy, n, lambdaAngle, lambdaLength, withFrechet);
}

/** The discrete Fréchet distance computed by the last `alafDistanceFlat(…, withFrechet = true)` call. */
export function lastDiscreteFrechet(): number {
  return results[1]!;
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
