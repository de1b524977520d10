/**
 * Choosing the next token from logits on the host: grammar mask, temperature, nucleus (top-p), greedy, and
 * expectation decoding of coordinates.
 */
import type { Rng } from './rng.js';

/** Options of {@link sampleToken}. */
export interface TokenSampling {
  /** 0 = greedy (argmax). */
  readonly temperature: number;
  /** Nucleus mass in (0, 1]; 1 = no truncation. */
  readonly topP: number;
}

/**
 * `exp((logits + mask) / temperature − max)` of the V logits read from `offset`, written into `scratch`;
 * returns their sum (the softmax is `scratch[i] / sum`).
 */
function unnormalisedSoftmax(
  logits: Float32Array,
  offset: number,
  V: number,
  mask: Float32Array | undefined,
  temperature: number,
  scratch: Float64Array,
): number {
  let max = -Infinity;
  for (let i = 0; i < V; i++) {
    const z = ((logits[offset + i] as number) + (mask ? (mask[i] as number) : 0)) / temperature;
    scratch[i] = z;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let i = 0; i < V; i++) {
    const e = Math.exp((scratch[i] as number) - max);
    scratch[i] = e;
    sum += e;
  }
  return sum;
}

/**
 * Sample one token from `logits` (V values read from `offset`), with an additive `mask` (0 / -1e9) when
 * given. Returns the token and its log-probability under the distribution it was drawn from before top-p
 * truncation (as policy-gradient code expects): the softmax of `(logits + mask) / T` for T > 0, and of
 * `logits + mask` for greedy decoding.
 *
 * @example
 * sampleToken(new Float32Array([0, 5, 1]), 0, 3, undefined, { temperature: 0, topP: 1 }, rng); // { token: 1, … }
 */
export function sampleToken(
  logits: Float32Array,
  offset: number,
  V: number,
  mask: Float32Array | undefined,
  options: TokenSampling,
  rng: Rng,
  scratch: Float64Array = new Float64Array(V),
): { token: number; logProb: number } {
  const sum = unnormalisedSoftmax(logits, offset, V, mask, options.temperature > 0 ? options.temperature : 1, scratch);
  let token = 0;
  if (options.temperature <= 0) {
    let best = -1;
    for (let i = 0; i < V; i++) {
      if ((scratch[i] as number) > best) {
        best = scratch[i] as number;
        token = i;
      }
    }
  } else if (options.topP >= 1) {
    let u = rng.float() * sum;
    token = V - 1;
    for (let i = 0; i < V; i++) {
      u -= scratch[i] as number;
      if (u < 0) {
        token = i;
        break;
      }
    }
  } else {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => (scratch[b] as number) - (scratch[a] as number));
    let kept = 0;
    let mass = 0;
    for (const i of order) {
      mass += scratch[i] as number;
      kept++;
      if (mass >= options.topP * sum) break;
    }
    let u = rng.float() * mass;
    token = order[kept - 1] as number;
    for (let k = 0; k < kept; k++) {
      const i = order[k] as number;
      u -= scratch[i] as number;
      if (u < 0) {
        token = i;
        break;
      }
    }
  }
  return { token, logProb: Math.log((scratch[token] as number) / sum) };
}

/** Where the coordinate bins of one axis are in the vocabulary. */
export interface CoordinateRange {
  /** Id of bin 0. */
  readonly offset: number;
  readonly bins: number;
}

/**
 * Expectation (minimum-Bayes-risk) decoding of a coordinate: the bin nearest to the mean value under the
 * (masked) distribution, unless a non-coordinate token (`<eos>`) holds more than half of the mass, in which
 * case that token. Under squared error this is the best single answer; the argmax can sit on one side of a
 * broad or two-peaked distribution. Returns the token and its log-probability.
 *
 * @example
 * expectedCoordinate(logits, 0, V, mask, { offset: 6, bins: 100 });
 */
export function expectedCoordinate(
  logits: Float32Array,
  offset: number,
  V: number,
  mask: Float32Array | undefined,
  range: CoordinateRange,
  scratch: Float64Array = new Float64Array(V),
  window = Infinity,
): { token: number; logProb: number } {
  const sum = unnormalisedSoftmax(logits, offset, V, mask, 1, scratch);
  let coordMass = 0;
  let mode = 0;
  for (let b = 0; b < range.bins; b++) {
    const p = scratch[range.offset + b] as number;
    coordMass += p;
    if (p > (scratch[range.offset + mode] as number)) mode = b;
  }
  let windowMass = 0;
  let mean = 0;
  for (let b = Math.max(0, mode - window); b <= Math.min(range.bins - 1, mode + window); b++) {
    const p = scratch[range.offset + b] as number;
    windowMass += p;
    mean += p * b;
  }
  let token: number;
  if (coordMass < 0.5 * sum) {
    token = 0;
    let best = -1;
    for (let i = 0; i < V; i++) {
      if ((i < range.offset || i >= range.offset + range.bins) && (scratch[i] as number) > best) {
        best = scratch[i] as number;
        token = i;
      }
    }
  } else {
    token = range.offset + Math.min(range.bins - 1, Math.max(0, Math.round(mean / windowMass)));
  }
  return { token, logProb: Math.log(Math.max((scratch[token] as number) / sum, 1e-300)) };
}
