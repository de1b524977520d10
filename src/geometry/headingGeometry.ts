import { EPS } from './localGeometry.js';
import { pythonHypot } from './pythonMath.js';

/** Segments shorter than this get the official `math.hypot` arithmetic (their direction may be (0, 0)). */
const TINY_SEGMENT = 1e-9;
/**
 * Coordinates this large (or NaN, or infinite) are left to the general path (`LocalGeometry`); below it, no
 * difference or square of differences overflows, so every distance and cost is finite.
 */
const HUGE_COORDINATE = 1e150;
/**
 * An interior point whose turn is within this of a U-turn gets the official arithmetic: there its direction,
 * the normalised sum of two near-opposite unit vectors, is ill-conditioned.
 */
const U_TURN_MARGIN = 0.02;
const TWO_PI = 2 * Math.PI;

/** ln(0 + EPS): the EPS-shifted log length of a repeated point. */
const LOG_EPS = Math.log(EPS);
/** How much of `logLengthEps` {@link HeadingGeometry.withEpsLogs} has filled. */
const EPS_LOGS_NONE = 0;
const EPS_LOGS_AT_SHORT = 1;
const EPS_LOGS_EVERYWHERE = 2;

/** Segment kinds: at least 1e-9 long; exactly zero (a repeated point); shorter than 1e-9 but not zero. */
const ORDINARY = 0;
const ZERO = 1;
const TINY = 2;

function grow(a: Float64Array, n: number): Float64Array {
  return a.length >= n ? a : new Float64Array(Math.max(n, 2 * a.length));
}

/** `h` brought into (−π, π] (for h in (−3π, 3π)). */
function wrapAngle(h: number): number {
  if (h > Math.PI) return h - TWO_PI;
  if (h <= -Math.PI) return h + TWO_PI;
  return h;
}

/**
 * The per-waypoint quantities of the angle-length augmented Fréchet distance (the official `_local_dir` /
 * `_local_len`, see `LocalGeometry`) in the form of the fast kernel, which compares directions by their
 * headings (one `atan2` per segment rather than one `acos` per pair of points):
 *
 * - `heading[i]`: the angle of the direction t_i, in (−π, π]; `angleWeight[i]` is 0 where t_i is the zero
 *   vector (the official angle with it is 0), else 1;
 * - `length[i]`: ℓ_i (to the next point; the last point to the previous one; 0 for a single point);
 *   `logLength[i]` = ln ℓ_i where ℓ_i > EPS, and `logLengthEps[i]` = ln(ℓ_i + EPS) where {@link withEpsLogs} says;
 *   `hasShort` when some ℓ_i ≤ EPS;
 * - `exactDirX/Y/Norm[i]`: the official direction and its norm, bit for bit, after {@link ensureExactAt}(i).
 *
 * Ordinary segments use `sqrt(dx² + dy²)` (within an ulp of Python's `math.hypot`) and the heading of an
 * interior point is the bisector of its two segments' headings, which is the heading of the official
 * normalised sum of the two unit vectors; next to a repeated point (a zero segment, whose official unit vector
 * is (0, 0)) it is the other segment's heading. Points next to a segment shorter than 1e-9 but not zero, and
 * near U-turns, take their direction from the official arithmetic instead. {@link compute} declines (returns false) only on
 * NaN, infinite or huge (≥ 1e150) coordinates, which the general path handles.
 *
 * @example
 * const g = new HeadingGeometry();
 * g.compute(Float64Array.of(0, 0, 1, 0, 1, 1), 3); // true; g.heading = [0, π/4, π/2], g.length = [1, 1, 1]
 */
export class HeadingGeometry {
  heading: Float64Array = new Float64Array(16);
  angleWeight: Float64Array = new Float64Array(16);
  length: Float64Array = new Float64Array(16);
  logLength: Float64Array = new Float64Array(16);
  logLengthEps: Float64Array = new Float64Array(16);
  exactDirX: Float64Array = new Float64Array(16);
  exactDirY: Float64Array = new Float64Array(16);
  exactDirNorm: Float64Array = new Float64Array(16);
  /** Some ℓ is not above EPS (so pairs with it use the EPS-shifted log ratio). */
  hasShort = false;
  private segmentHeading: Float64Array = new Float64Array(16);
  /** Per segment: {@link ORDINARY}, {@link ZERO} (a repeated point) or {@link TINY}. */
  private segmentKind: Uint8Array = new Uint8Array(16);
  /** `exactStamp[i] === generation` when point i's exact direction is valid. */
  private exactStamp: Uint32Array = new Uint32Array(16);
  /** The official unit vector of segment k (points k to k + 1), valid when `segmentStamp[k] === generation`. */
  private segmentX: Float64Array = new Float64Array(16);
  private segmentY: Float64Array = new Float64Array(16);
  private segmentStamp: Uint32Array = new Uint32Array(16);
  private generation = 1;
  private xy: Float64Array = new Float64Array(0);
  private count = 0;
  /** Where `logLengthEps` is valid: none yet, at short points, everywhere. */
  private epsLogs = EPS_LOGS_NONE;

  /**
   * Fill the arrays for the `n` ≥ 1 points of `xy` (interleaved x, y; kept by reference until the next call).
   * Returns false, with nothing usable, when a coordinate is NaN, infinite or at least 1e150 in magnitude.
   */
  compute(xy: Float64Array, n: number): boolean {
    this.reset(xy, n);
    for (let k = 0; k < 2 * n; k++) if (!(Math.abs(xy[k]!) < HUGE_COORDINATE)) return false;
    if (n === 1) {
      this.heading[0] = 0;
      this.angleWeight[0] = 0;
      this.length[0] = 0;
      this.logLength[0] = 0;
      this.hasShort = true;
      return true;
    }
    const { length, logLength, segmentHeading, segmentKind } = this;
    let hasShort = false;
    for (let k = 0; k < n - 1; k++) {
      const dx = xy[2 * k + 2]! - xy[2 * k]!;
      const dy = xy[2 * k + 3]! - xy[2 * k + 1]!;
      let len = Math.sqrt(dx * dx + dy * dy);
      if (len >= TINY_SEGMENT) {
        segmentKind[k] = ORDINARY;
        segmentHeading[k] = Math.atan2(dy, dx);
      } else if (dx === 0 && dy === 0) {
        segmentKind[k] = ZERO; // a repeated point: official unit vector (0, 0), length 0
      } else {
        len = pythonHypot(dx, dy);
        segmentKind[k] = TINY;
      }
      length[k] = len;
      const long = len > EPS;
      logLength[k] = long ? Math.log(len) : 0;
      hasShort ||= !long;
    }
    length[n - 1] = length[n - 2]!;
    logLength[n - 1] = logLength[n - 2]!;
    this.hasShort = hasShort;
    this.fillHeadings(n);
    return true;
  }

  /**
   * Make `logLengthEps[i]` valid wherever the kernel reads it (pairs with a short ℓ on either side use it): at
   * every short point, and at every point when `otherHasShort`. A repeated point (ℓ = 0) has the constant
   * ln(0 + EPS) = ln EPS, without a call to `Math.log`.
   *
   * @example
   * g.compute(Float64Array.of(0, 0, 0, 0, 1, 0), 3); // a repeated point: g.hasShort
   * g.withEpsLogs(false); // g.logLengthEps[0] = ln 1e-12 (the other points are long: not needed)
   */
  withEpsLogs(otherHasShort: boolean): void {
    const wanted = otherHasShort ? EPS_LOGS_EVERYWHERE : EPS_LOGS_AT_SHORT;
    if (this.epsLogs >= wanted) return;
    const { length, logLengthEps } = this;
    for (let i = 0; i < this.count; i++) {
      const len = length[i]!;
      if (len === 0) logLengthEps[i] = LOG_EPS;
      else if (otherHasShort || !(len > EPS)) logLengthEps[i] = Math.log(len + EPS);
    }
    this.epsLogs = wanted;
  }

  /**
   * Make `exactDirX/Y/Norm[i]` the official direction of point `i` and its norm, bit for bit (Python's
   * operations in Python's order, with its `math.hypot`): a point's direction depends only on its two segments.
   */
  ensureExactAt(i: number): void {
    if (this.exactStamp[i] === this.generation) return;
    const n = this.count;
    let tx = 0;
    let ty = 0;
    if (n > 1) {
      const k = i === n - 1 ? i - 1 : i;
      this.ensureExactSegment(k);
      tx = this.segmentX[k]!;
      ty = this.segmentY[k]!;
      if (i > 0 && i < n - 1) {
        const outX = tx;
        const outY = ty;
        this.ensureExactSegment(i - 1);
        const inX = this.segmentX[i - 1]!;
        const inY = this.segmentY[i - 1]!;
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
    }
    this.exactDirX[i] = tx;
    this.exactDirY[i] = ty;
    this.exactDirNorm[i] = tx === 0 && ty === 0 ? 0 : pythonHypot(tx, ty);
    this.exactStamp[i] = this.generation;
  }

  private fillHeadings(n: number): void {
    const { heading, angleWeight, segmentHeading, segmentKind } = this;
    for (let i = 0; i < n; i++) {
      const before = i > 0 ? segmentKind[i - 1]! : ZERO;
      const after = i < n - 1 ? segmentKind[i]! : ZERO;
      if (before === TINY || after === TINY) {
        this.exactHeading(i);
      } else if (before === ZERO || after === ZERO) {
        // An endpoint, or next to a repeated point: the official direction is the other segment's unit vector
        // (renormalised, so its heading to an ulp), or (0, 0) when both are zero.
        const flat = before === ZERO && after === ZERO;
        heading[i] = flat ? 0 : segmentHeading[before === ZERO ? i : i - 1]!;
        angleWeight[i] = flat ? 0 : 1;
      } else {
        const inHeading = segmentHeading[i - 1]!;
        const turn = wrapAngle(segmentHeading[i]! - inHeading);
        if (Math.abs(turn) < Math.PI - U_TURN_MARGIN) {
          heading[i] = wrapAngle(inHeading + turn / 2);
          angleWeight[i] = 1;
        } else {
          this.exactHeading(i);
        }
      }
    }
  }

  /** Heading and weight of point `i` from its official direction. */
  private exactHeading(i: number): void {
    this.ensureExactAt(i);
    const flat = this.exactDirNorm[i]! < EPS;
    this.heading[i] = flat ? 0 : Math.atan2(this.exactDirY[i]!, this.exactDirX[i]!);
    this.angleWeight[i] = flat ? 0 : 1;
  }

  /**
   * Make `segmentX/Y[k]` the official unit vector of segment k (points k to k + 1), (0, 0) when shorter than EPS
   * (an interior point's direction uses two segments, each shared with a neighbour: each is computed once).
   */
  private ensureExactSegment(k: number): void {
    if (this.segmentStamp[k] === this.generation) return;
    const xy = this.xy;
    const dx = xy[2 * k + 2]! - xy[2 * k]!;
    const dy = xy[2 * k + 3]! - xy[2 * k + 1]!;
    const len = pythonHypot(dx, dy);
    const short = len < EPS;
    this.segmentX[k] = short ? 0 : dx / len;
    this.segmentY[k] = short ? 0 : dy / len;
    this.segmentStamp[k] = this.generation;
  }

  /** Start on new points: grow the arrays and invalidate everything computed lazily. */
  private reset(xy: Float64Array, n: number): void {
    if (this.heading.length < n) {
      this.heading = grow(this.heading, n);
      this.angleWeight = grow(this.angleWeight, n);
      this.length = grow(this.length, n);
      this.logLength = grow(this.logLength, n);
      this.logLengthEps = grow(this.logLengthEps, n);
      this.exactDirX = grow(this.exactDirX, n);
      this.exactDirY = grow(this.exactDirY, n);
      this.exactDirNorm = grow(this.exactDirNorm, n);
      this.segmentHeading = grow(this.segmentHeading, n);
      this.segmentKind = new Uint8Array(this.heading.length);
      this.exactStamp = new Uint32Array(this.heading.length);
      this.segmentX = grow(this.segmentX, n);
      this.segmentY = grow(this.segmentY, n);
      this.segmentStamp = new Uint32Array(this.heading.length);
    }
    this.xy = xy;
    this.count = n;
    this.epsLogs = EPS_LOGS_NONE;
    if (++this.generation === 0xffffffff) {
      this.exactStamp.fill(0);
      this.segmentStamp.fill(0);
      this.generation = 1;
    }
  }
}
