/**
 * The pointer head: a second, direct route from the image to the coordinate tokens.
 *
 * At every generated position the model scores the image patches (`query(h) · key(patch)`, from the final
 * layer), turns the scores into a distribution over the patch grid, and adds to the logit of each
 * x-coordinate token the log of the grid-column mass at its position (interpolated between the two nearest
 * column centres; rows likewise for y). The vocabulary head then only refines a coordinate near the cells
 * the pointer chose.
 *
 * Why: a coordinate learned only through the vocabulary head must travel from the patch through attention
 * values into the residual stream; attention and values each wait for the other to become useful, and a
 * small model on cluttered scenes learns where things are very slowly that way. Through the pointer the
 * cross-entropy of a coordinate token pushes the score of the right patches directly (one bilinear form),
 * which is how the grounding gets learned within a CPU budget. Where a coordinate is not a location (box
 * width and height) the model learns to leave the pointer flat, which adds nothing.
 */
import type { ModelConfig } from './config.js';
import type { JaxArray } from './jax.js';
import { nn, np } from './jax.js';
import { standardize } from './standardize.js';
import { SPECIAL_TOKENS } from './tokenizer.js';

/** The pointer's two projections. */
export interface PointerParams<T> {
  pointerQuery: T;
  pointerKey: T;
}

/** True when the config has a pointer head (it needs the coordinate bins to map the grid onto tokens). */
export function hasPointer(c: ModelConfig): boolean {
  return c.coordinateBins > 0;
}

/**
 * True when the pointer's patch scores also get each patch's log-probability of the instruction's words
 * (`pointerPrior` in the config; needs the pointer head). The patch keys then carry that prior as one more
 * column, and the queries a matching constant column, so the prior rides in the prefix cache unchanged.
 */
export function usesPointerPrior(c: ModelConfig): boolean {
  return hasPointer(c) && c.pointerPrior === true;
}

/**
 * The `[2G, V]` map from grid columns (first G rows) and grid rows (next G rows) to the coordinate tokens of
 * the x and y axis (G = patches per image side): each bin takes the mass of the two cells nearest to its
 * centre, linearly interpolated between the cell centres, so the pointer's preference over bins is smooth
 * rather than a step at every cell edge. Every bin's weights sum to 1.
 *
 * @example
 * pointerGridMap({ ...config, coordinateBins: 4 }); // column 0 → x tokens of bins 0..; row 0 → y tokens …
 */
export function pointerGridMap(c: ModelConfig): Float32Array {
  const G = c.imageSize / c.patchSize;
  const V = c.vocabSize;
  const bins = c.coordinateBins;
  const offset = SPECIAL_TOKENS.length;
  const map = new Float32Array(2 * G * V);
  for (let b = 0; b < bins; b++) {
    const u = Math.min(G - 1, Math.max(0, ((b + 0.5) / bins) * G - 0.5));
    const low = Math.min(G - 2, Math.floor(u));
    const frac = G === 1 ? 0 : u - low;
    const cells = G === 1 ? [[0, 1]] : [[low, 1 - frac], [low + 1, frac]];
    for (const [cell, weight] of cells as [number, number][]) {
      map[cell * V + offset + b] = (map[cell * V + offset + b] as number) + weight;
      map[(G + cell) * V + offset + bins + b] = (map[(G + cell) * V + offset + bins + b] as number) + weight;
    }
  }
  return map;
}

/** `[V]`: 0 for coordinate tokens, 1 for the others (their pointer bias is then log 1 = 0). */
function nonCoordinateFloor(c: ModelConfig): Float32Array {
  const floor = new Float32Array(c.vocabSize).fill(1);
  floor.fill(1e-6, SPECIAL_TOKENS.length, SPECIAL_TOKENS.length + 2 * c.coordinateBins);
  return floor;
}

/**
 * The pointer keys `[B, Np, d]` of the final-layer states of the image patches `[B, Np, d]`.
 */
export function pointerKeys(p: PointerParams<JaxArray>, patchStates: JaxArray): JaxArray {
  const [B, Np, d] = patchStates.shape as [number, number, number];
  return np.matmul(standardize(patchStates).reshape([-1, d]), p.pointerKey).reshape([B, Np, d]);
}

/**
 * The logit bias `[B, L, V]` of the pointer at generated states `h [B, L, d]` against the patch keys
 * `[B, Np, d]`: `log(column mass)` on x tokens, `log(row mass)` on y tokens, 0 elsewhere.
 */
export function pointerBias(p: PointerParams<JaxArray>, h: JaxArray, keys: JaxArray, c: ModelConfig): JaxArray {
  const [B, L, d] = h.shape as [number, number, number];
  const G = c.imageSize / c.patchSize;
  let q = np.matmul(standardize(h).reshape([-1, d]), p.pointerQuery).reshape([B, L, d]);
  // With the word prior the keys have one more column: q·k/√d gains exactly the prior.
  if (keys.shape[2] === d + 1) q = np.concatenate([q, np.ones([B, L, 1]).mul(Math.sqrt(d))], -1);
  const scores = np.matmul(q, keys.transpose([0, 2, 1])).mul(1 / Math.sqrt(d));
  const prob = nn.softmax(scores, -1).reshape([B, L, G, G]);
  const columns = prob.ref.sum(2);
  const rows = prob.sum(3);
  const mass = np.concatenate([columns, rows], -1).reshape([-1, 2 * G]);
  const map = np.array(pointerGridMap(c)).reshape([2 * G, c.vocabSize]);
  const binMass = np.matmul(mass, map).add(np.array(nonCoordinateFloor(c)));
  return np.log(binMass).reshape([B, L, c.vocabSize]);
}
