import { pythonHypot } from './pythonMath.js';

/** Below this a vector or length is degenerate (the official EPS). */
export const EPS = 1e-12;

/** Cosines closer than this to ±1 are recomputed from the exact directions (acos is steep there). */
export const NEAR_PARALLEL = 1 - 1e-6;

/** A segment shorter than this, or an interior direction sum shorter than {@link SHORT_SUM}, needs exact arithmetic. */
const SHORT_SEGMENT = 1e-9;
const SHORT_SUM = 1e-2;

function grow(a: Float64Array, n: number): Float64Array {
  return a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2));
}

/**
 * The per-waypoint quantities of the angle-length augmented Fréchet distance, as the official `_local_dir` /
 * `_local_len` define them, in reusable typed arrays:
 *
 * - direction t (`dirX`, `dirY`): endpoints use the forward/backward difference; an interior point the
 *   normalised sum of the unit in- and out-directions, falling back to the in-direction when that sum is shorter
 *   than EPS (or NaN); a difference shorter than EPS gives (0, 0); a single point has (0, 0);
 * - `dirNorm`: the norm of t as Python recomputes it for every pair (~1, 0 for a zero direction, NaN for NaN);
 * - length ℓ (`length`): to the next point; the last point to the previous one; 0 for a single point;
 * - `logLength` = ln ℓ (only where ℓ > EPS) and `logLengthEps` = ln(ℓ + EPS) (only after {@link withEpsLogs}).
 *
 * Two tiers, for speed with exact parity: {@link compute} uses `sqrt(x² + y²)` (within an ulp of Python's
 * `math.hypot`), which moves a cosine by ~1e-15 and the angle by far less than 1e-9 unless the cosine is near ±1;
 * {@link ensureExact} recomputes the directions operation by operation as Python does, with a bit-exact
 * `math.hypot`, into `exactDirX/Y/Norm`, for the pairs whose cosine is within 1e-6 of ±1 (where `acos` turns one
 * ulp into ~1e-8). A trajectory with a degenerate segment, a near U-turn or a NaN is computed exactly up front.
 *
 * @example
 * const g = new LocalGeometry();
 * g.compute(Float64Array.of(0, 0, 1, 0, 1, 1), 3); // g.dirX[1] = g.dirY[1] = Math.SQRT1_2 (45° at the corner)
 */
export class LocalGeometry {
  dirX: Float64Array = new Float64Array(16);
  dirY: Float64Array = new Float64Array(16);
  dirNorm: Float64Array = new Float64Array(16);
  length: Float64Array = new Float64Array(16);
  logLength: Float64Array = new Float64Array(16);
  logLengthEps: Float64Array = new Float64Array(16);
  exactDirX: Float64Array = new Float64Array(16);
  exactDirY: Float64Array = new Float64Array(16);
  exactDirNorm: Float64Array = new Float64Array(16);
  /** Some ℓ is not above EPS (so pairs with it use the EPS-shifted log ratio). */
  hasShort = false;
  private xy: Float64Array = new Float64Array(0);
  private count = 0;
  private exactReady = false;
  private epsLogsReady = false;

  /** Fill the arrays for the `n` points of `xy` (interleaved x, y; kept by reference until the next call). */
  compute(xy: Float64Array, n: number): void {
    if (this.dirX.length < n) {
      this.dirX = grow(this.dirX, n);
      this.dirY = grow(this.dirY, n);
      this.dirNorm = grow(this.dirNorm, n);
      this.length = grow(this.length, n);
      this.logLength = grow(this.logLength, n);
      this.logLengthEps = grow(this.logLengthEps, n);
      this.exactDirX = grow(this.exactDirX, n);
      this.exactDirY = grow(this.exactDirY, n);
      this.exactDirNorm = grow(this.exactDirNorm, n);
    }
    this.xy = xy;
    this.count = n;
    this.exactReady = false;
    this.epsLogsReady = false;
    if (!this.fastPass(xy, n)) this.exactPass(true);
    let hasShort = false;
    const { length, logLength } = this;
    for (let i = 0; i < n; i++) {
      const len = length[i]!;
      if (len > EPS) logLength[i] = Math.log(len);
      else hasShort = true;
    }
    this.hasShort = hasShort;
  }

  /** Make `exactDirX/Y/Norm` valid (bit-exact Python directions and norms). */
  ensureExact(): void {
    if (!this.exactReady) this.exactPass(false);
  }

  /** Make `logLengthEps` valid (needed only when this or the other trajectory has a short ℓ). */
  withEpsLogs(): void {
    if (this.epsLogsReady) return;
    for (let i = 0; i < this.count; i++) this.logLengthEps[i] = Math.log(this.length[i]! + EPS);
    this.epsLogsReady = true;
  }

  /** Directions and lengths with `sqrt`; false (and nothing usable) when a point needs exact arithmetic. */
  private fastPass(xy: Float64Array, n: number): boolean {
    const { dirX, dirY, dirNorm, length } = this;
    if (n === 1) {
      dirX[0] = dirY[0] = dirNorm[0] = length[0] = 0;
      return true;
    }
    let inX = 0;
    let inY = 0;
    for (let i = 0; i < n; i++) {
      let outX = 0;
      let outY = 0;
      if (i < n - 1) {
        const dx = xy[2 * i + 2]! - xy[2 * i]!;
        const dy = xy[2 * i + 3]! - xy[2 * i + 1]!;
        const len = Math.sqrt(dx * dx + dy * dy);
        if (!(len >= SHORT_SEGMENT && len < 1e150)) return false; // degenerate, huge or NaN: exact path
        length[i] = len;
        outX = dx / len;
        outY = dy / len;
      } else {
        length[i] = length[i - 1]!;
      }
      let tx = outX;
      let ty = outY;
      if (i === n - 1) {
        tx = inX;
        ty = inY;
      } else if (i > 0) {
        const sx = inX + outX;
        const sy = inY + outY;
        const norm = Math.sqrt(sx * sx + sy * sy);
        if (!(norm >= SHORT_SUM)) return false; // near U-turn: the direction is ill-conditioned
        tx = sx / norm;
        ty = sy / norm;
      }
      dirX[i] = tx;
      dirY[i] = ty;
      dirNorm[i] = Math.sqrt(tx * tx + ty * ty);
      inX = outX;
      inY = outY;
    }
    return true;
  }

  /**
   * The official arithmetic, operation by operation. With `intoFast`, the results also replace the fast arrays
   * (lengths included), for trajectories the fast pass cannot handle.
   */
  private exactPass(intoFast: boolean): void {
    const { xy, count: n, exactDirX, exactDirY, exactDirNorm, length } = this;
    let inX = 0;
    let inY = 0;
    for (let i = 0; i < n; i++) {
      let outX = 0;
      let outY = 0;
      if (i < n - 1) {
        const dx = xy[2 * i + 2]! - xy[2 * i]!;
        const dy = xy[2 * i + 3]! - xy[2 * i + 1]!;
        const len = pythonHypot(dx, dy);
        if (intoFast) length[i] = len;
        if (!(len < EPS)) {
          outX = dx / len;
          outY = dy / len;
        }
      } else if (intoFast) {
        length[i] = n === 1 ? 0 : length[i - 1]!;
      }
      let tx: number;
      let ty: number;
      if (n === 1) {
        tx = 0;
        ty = 0;
      } else if (i === 0) {
        tx = outX;
        ty = outY;
      } else if (i === n - 1) {
        tx = inX;
        ty = inY;
      } else {
        const sx = inX + outX;
        const sy = inY + outY;
        const norm = pythonHypot(sx, sy);
        if (norm >= EPS) {
          tx = sx / norm;
          ty = sy / norm;
        } else {
          tx = inX;
          ty = inY;
        }
      }
      exactDirX[i] = tx;
      exactDirY[i] = ty;
      exactDirNorm[i] = tx === 0 && ty === 0 ? 0 : pythonHypot(tx, ty);
      inX = outX;
      inY = outY;
    }
    this.exactReady = true;
    if (intoFast) {
      this.dirX.set(exactDirX.subarray(0, n));
      this.dirY.set(exactDirY.subarray(0, n));
      this.dirNorm.set(exactDirNorm.subarray(0, n));
    }
  }
}
