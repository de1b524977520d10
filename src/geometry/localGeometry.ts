import { pythonHypot } from './pythonMath.js';

/** Below this a vector or length is degenerate (the official EPS). */
export const EPS = 1e-12;

function grow(a: Float64Array, n: number): Float64Array {
  return a.length >= n ? a : new Float64Array(Math.max(n, a.length * 2));
}

/**
 * The per-waypoint quantities of the angle-length augmented Fréchet distance, exactly as the official
 * `_local_dir` / `_local_len` define them, in reusable typed arrays:
 *
 * - direction t (`dirX`, `dirY`): endpoints use the forward/backward difference; an interior point the
 *   normalised sum of the unit in- and out-directions, falling back to the in-direction when that sum is shorter
 *   than EPS (or NaN); a difference shorter than EPS gives (0, 0); a single point has (0, 0);
 * - `dirNorm`: the norm of t as Python recomputes it for every pair (~1, 0 for a zero direction, NaN for NaN);
 * - length ℓ (`length`): to the next point; the last point to the previous one; 0 for a single point;
 * - `logLength` = ln ℓ (only where ℓ > EPS) and `logLengthEps` = ln(ℓ + EPS) (only after {@link withEpsLogs}).
 *
 * Arithmetic follows the Python code operation by operation, with a bit-exact `math.hypot`, because the cosine
 * between two directions feeds an `acos` that turns one ulp into ~1e-8.
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
  /** Some ℓ is not above EPS (so pairs with it use the EPS-shifted log ratio). */
  hasShort = false;
  private count = 0;
  private epsLogsReady = false;

  /** Fill the arrays for the `n` points of `xy` (interleaved x, y). */
  compute(xy: Float64Array, n: number): void {
    if (this.dirX.length < n) {
      this.dirX = grow(this.dirX, n);
      this.dirY = grow(this.dirY, n);
      this.dirNorm = grow(this.dirNorm, n);
      this.length = grow(this.length, n);
      this.logLength = grow(this.logLength, n);
      this.logLengthEps = grow(this.logLengthEps, n);
    }
    const { dirX, dirY, dirNorm, length, logLength } = this;
    this.count = n;
    this.epsLogsReady = false;
    let hasShort = false;
    // Segment k joins points k and k+1; its norm is the official `_local_len` of point k and its unit vector
    // (`_unit`, zero when shorter than EPS) is the out-direction of point k and the in-direction of point k+1.
    let inX = 0;
    let inY = 0;
    for (let i = 0; i < n; i++) {
      let outX = 0;
      let outY = 0;
      let len: number;
      if (i < n - 1) {
        const dx = xy[2 * i + 2]! - xy[2 * i]!;
        const dy = xy[2 * i + 3]! - xy[2 * i + 1]!;
        len = pythonHypot(dx, dy);
        if (!(len < EPS)) {
          outX = dx / len;
          outY = dy / len;
        }
      } else {
        len = n === 1 ? 0 : length[i - 1]!;
      }
      length[i] = len;
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
      dirX[i] = tx;
      dirY[i] = ty;
      dirNorm[i] = tx === 0 && ty === 0 ? 0 : pythonHypot(tx, ty);
      inX = outX;
      inY = outY;
      if (len > EPS) logLength[i] = Math.log(len);
      else hasShort = true;
    }
    this.hasShort = hasShort;
  }

  /** Make `logLengthEps` valid (needed only when this or the other trajectory has a short ℓ). */
  withEpsLogs(): void {
    if (this.epsLogsReady) return;
    for (let i = 0; i < this.count; i++) this.logLengthEps[i] = Math.log(this.length[i]! + EPS);
    this.epsLogsReady = true;
  }
}
