/**
 * A shared Fourier code for image locations, used to initialise the weights that deal with positions, so that
 * "coordinate token v" and "image patch at v" start out similar and a freshly initialised model can copy a
 * location from the image to its answer:
 *
 * - image-patch positions get `[φ(cx), φ(cy)]` (patch centre; x in the first half of the width, y in the
 *   second);
 * - x-coordinate tokens get `[φ(v), 0]` and y-coordinate tokens `[0, φ(v)]` as input embedding and as head
 *   column; number pieces of the rationale (`0.42`) get `[φ(v), φ(v)] / √2`;
 * - every attention layer's value and output projections start as the identity on the code's dimensions
 *   (plus their random init), so attending to a patch already carries that patch's location to the head.
 *   Without this, attention and the value path each wait for the other to become useful (a saddle that
 *   small random init escapes only slowly), and the model learns where things are far more slowly.
 *
 * with `φ(u) = [sin 2πf_k u, cos 2πf_k u]_k` over geometric frequencies. Only the initial values change;
 * every weight is trained as usual.
 */
import type { ModelConfig } from './config.js';
import { patchCount } from './config.js';
import type { HostTensor, ModelParams } from './params.js';
import type { Tokenizer } from './tokenizer.js';

/** Scale of the code in embeddings and positions (element RMS ≈ 0.1). */
const EMBED_SCALE = 0.14;
/** Scale of the code in head columns (close to the 0.02 init of the other columns). */
const HEAD_SCALE = 0.03;

/**
 * `φ(u)` with `width` entries (an even number): sine/cosine pairs at frequencies from 0.5 to 16 cycles.
 *
 * @example
 * fourierCode(0.5, 4); // [sin(π), cos(π), sin(16π), cos(16π)]
 */
export function fourierCode(u: number, width: number): Float32Array {
  const pairs = width / 2;
  const out = new Float32Array(width);
  for (let k = 0; k < pairs; k++) {
    const f = pairs === 1 ? 1 : 0.5 * 32 ** (k / (pairs - 1));
    out[2 * k] = Math.sin(2 * Math.PI * f * u);
    out[2 * k + 1] = Math.cos(2 * Math.PI * f * u);
  }
  return out;
}

function numberValue(piece: string): number | undefined {
  if (!/^ ?[01](\.[0-9]+)?$/.test(piece)) return undefined;
  const v = Number(piece);
  return v >= 0 && v <= 1 ? v : undefined;
}

/**
 * Write the position code into freshly initialised host weights (in place) and return them.
 *
 * @example
 * const host = applyPositionCode(initParams(config, rng), config, tokenizer);
 */
export function applyPositionCode(p: ModelParams<HostTensor>, c: ModelConfig, tok: Tokenizer): ModelParams<HostTensor> {
  const d = c.dModel;
  const half = Math.floor(d / 4) * 2;
  if (half < 2) return p;
  const grid = c.imageSize / c.patchSize;
  const positions = p.positions.data;
  for (let i = 0; i < patchCount(c); i++) {
    const cx = ((i % grid) + 0.5) / grid;
    const cy = (Math.floor(i / grid) + 0.5) / grid;
    const row = i * d;
    positions.fill(0, row, row + d);
    positions.set(fourierCode(cx, half).map((v) => v * EMBED_SCALE), row);
    positions.set(fourierCode(cy, half).map((v) => v * EMBED_SCALE), row + half);
  }
  const V = c.vocabSize;
  const emb = p.tokenEmbedding.data;
  const head = p.headWeight.data;
  const write = (id: number, vec: Float32Array): void => {
    for (let j = 0; j < d; j++) {
      emb[id * d + j] = (vec[j] as number) * EMBED_SCALE;
      head[j * V + id] = (vec[j] as number) * HEAD_SCALE;
    }
  };
  for (let b = 0; b < tok.coordinateBins; b++) {
    const v = (b + 0.5) / tok.coordinateBins;
    const code = fourierCode(v, half);
    const x = new Float32Array(d);
    x.set(code, 0);
    write(tok.coordinateToken(v, 'x'), x);
    const y = new Float32Array(d);
    y.set(code, half);
    write(tok.coordinateToken(v, 'y'), y);
  }
  const width = 2 * half;
  for (const b of p.blocks) {
    const qkv = b.qkvWeight.data;
    const out = b.outWeight.data;
    for (let j = 0; j < width; j++) {
      qkv[j * 3 * d + 2 * d + j] = (qkv[j * 3 * d + 2 * d + j] as number) + 1;
      out[j * d + j] = (out[j * d + j] as number) + 1;
    }
  }
  tok.pieces.forEach((piece, i) => {
    const v = numberValue(piece);
    if (v === undefined) return;
    const code = fourierCode(v, half);
    const both = new Float32Array(d);
    code.forEach((value, j) => {
      both[j] = value / Math.SQRT2;
      both[half + j] = value / Math.SQRT2;
    });
    write(tok.textOffset + i, both);
  });
  return p;
}
