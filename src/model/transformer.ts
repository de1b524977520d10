/**
 * The forward pass of the small VLA transformer, written against jax-js arrays. Every function follows
 * the engine's ownership rule: it consumes (disposes) each array argument exactly once.
 *
 * Layout: `[patchCount image patches | promptLength prompt tokens | targetLength generated tokens]`,
 * learned absolute positions, pre-LN blocks with fused QKV, tanh-GELU MLP, final LayerNorm, untied head.
 */
import type { ModelConfig } from './config.js';
import { headDim, patchCount, prefixLength, sequenceLength } from './config.js';
import type { JaxArray } from './jax.js';
import { nn, np } from './jax.js';
import type { BlockParams, ModelParams } from './params.js';
import { hasPointer, pointerBias, pointerKeys, usesPointerPrior } from './pointer-head.js';
import { standardize } from './standardize.js';
import { ANSWER } from './tokenizer.js';

/** The additive attention bias for masked-out keys. */
export const MASKED = -1e9;

type P = ModelParams<JaxArray>;
type BP = BlockParams<JaxArray>;

/** `x @ W + b` over the last axis of `x` (any leading shape), as one 2-D matmul. */
export function linear(x: JaxArray, weight: JaxArray, bias: JaxArray): JaxArray {
  const lead = x.shape.slice(0, -1);
  const din = x.shape[x.ndim - 1] as number;
  const dout = weight.shape[1] as number;
  const y = np.matmul(x.reshape([-1, din]), weight).add(bias);
  return y.reshape([...lead, dout]);
}

/** LayerNorm over the last axis (eps 1e-5). */
export function layerNorm(x: JaxArray, scale: JaxArray, bias: JaxArray): JaxArray {
  return standardize(x).mul(scale).add(bias);
}

/** Split a `[B, T, d]` residual into heads: q, k, v of shape `[B, H, T, dh]`. */
function projectQkv(h: JaxArray, b: BP, c: ModelConfig): [JaxArray, JaxArray, JaxArray] {
  const [B, T] = h.shape as [number, number];
  const qkv = linear(h, b.qkvWeight, b.qkvBias)
    .reshape([B, T, 3, c.nHeads, headDim(c)])
    .transpose([2, 0, 3, 1, 4]);
  const q = qkv.ref.slice(0);
  const k = qkv.ref.slice(1);
  const v = qkv.slice(2);
  return [q, k, v];
}

/**
 * Attention of queries `[B, H, Tq, dh]` over one or more key/value segments (each `[B, H, Ti, dh]`, with an
 * additive bias broadcastable to `[B, H, Tq, Ti]`), one softmax across all segments.
 */
export function attendSegments(q: JaxArray, segments: readonly { k: JaxArray; v: JaxArray; bias: JaxArray }[]): JaxArray {
  const dh = q.shape[q.ndim - 1] as number;
  const scale = 1 / Math.sqrt(dh);
  const scaledQ = q.mul(scale);
  const scores = segments.map((s, i) =>
    np.matmul(i === segments.length - 1 ? scaledQ : scaledQ.ref, s.k.transpose([0, 1, 3, 2])).add(s.bias),
  );
  if (segments.length === 1) {
    const only = segments[0] as { v: JaxArray };
    return np.matmul(nn.softmax(scores[0] as JaxArray, -1), only.v);
  }
  const widths = segments.map((s) => s.k.shape[2] as number);
  const probs = nn.softmax(np.concatenate(scores, -1), -1);
  let out: JaxArray | undefined;
  let start = 0;
  segments.forEach((s, i) => {
    const w = widths[i] as number;
    const part = np.matmul(probs.ref.slice([], [], [], [start, start + w]), s.v);
    out = out === undefined ? part : out.add(part);
    start += w;
  });
  probs.dispose();
  return out as JaxArray;
}

function mergeHeads(o: JaxArray): JaxArray {
  const [B, H, T, dh] = o.shape as [number, number, number, number];
  return o.transpose([0, 2, 1, 3]).reshape([B, T, H * dh]);
}

function mlp(x: JaxArray, b: BP): JaxArray {
  const h = layerNorm(x, b.ln2Scale, b.ln2Bias);
  return linear(nn.gelu(linear(h, b.mlpInWeight, b.mlpInBias), { approximate: true }), b.mlpOutWeight, b.mlpOutBias);
}

/** One block over a full sequence; returns the new residual and this block's keys/values. */
function blockFull(x: JaxArray, b: BP, bias: JaxArray, c: ModelConfig): { x: JaxArray; k: JaxArray; v: JaxArray } {
  const h = layerNorm(x.ref, b.ln1Scale, b.ln1Bias);
  const [q, k, v] = projectQkv(h, b, c);
  const o = attendSegments(q, [{ k: k.ref, v: v.ref, bias }]);
  const x1 = x.add(linear(mergeHeads(o), b.outWeight, b.outBias));
  const x2 = x1.ref.add(mlp(x1, b));
  return { x: x2, k, v };
}

/**
 * Embed image patches `[B, Np, patchDim]` and tokens `[B, S]` (the prompt region first) into `[B, Np + S, d]`
 * with positions `[Np + S, d]`, plus the prompt conditioning vector at every position.
 *
 * The conditioning vector is a weighted mean of the valid prompt tokens' embeddings (weights: a softmax of
 * each token's `promptScore`) times `promptWeight`: it puts what the instruction asks for into every
 * position from the first layer on, so that the first attention layer can already match instruction words
 * against image patches (without it, that match has to wait for an earlier layer to learn to fetch the
 * instruction).
 *
 * @param promptValid `[B, promptLength]` float32 (0 = padding).
 */
function embed(p: P, patches: JaxArray, tokens: JaxArray, positions: JaxArray, promptValid: JaxArray): { x: JaxArray; cond: JaxArray } {
  const [B, P] = promptValid.shape as [number, number];
  const img = embedPatches(p, patches);
  const promptTokens = tokens.ref.slice([], [0, P]);
  const tok = np.take(p.tokenEmbedding, tokens, 0);
  const cond = promptCondition(tok.ref.slice([], [0, P], []), np.take(p.promptScore, promptTokens, 0), promptValid, p.promptWeight);
  const d = cond.shape[1] as number;
  const x = np.concatenate([img, tok], 1).add(positions).add(cond.ref.reshape([B, 1, d]));
  return { x, cond };
}

/**
 * The prompt's bag of words `[B, V]`, pooled with the prompt condition's weights (a softmax of `promptScore`
 * over the valid prompt tokens), for the pointer's word prior (`pointerPrior`). One-hot matmuls, not a gather, so
 * that the gradient stays a matmul under `jit`.
 */
function promptBag(p: P, promptTokens: JaxArray, promptValid: JaxArray, c: ModelConfig): JaxArray {
  const [B, P] = promptValid.shape as [number, number];
  const oneHot = nn.oneHot(promptTokens, c.vocabSize);
  const scores = np.matmul(oneHot.ref, p.promptScore.ref.reshape([c.vocabSize, 1])).reshape([B, P]);
  return oneHot.mul(promptWeights(scores, promptValid)).sum(1);
}

/**
 * The bag of words of the prompt region of a teacher-forced sequence (`tokens [B, promptLength + L]`,
 * `keyValid [B, T]`; neither consumed) when the config uses the pointer's word prior, else undefined.
 */
function sequencePromptBag(p: P, tokens: JaxArray, keyValid: JaxArray, c: ModelConfig): JaxArray | undefined {
  if (!usesPointerPrior(c)) return undefined;
  const Np = patchCount(c);
  return promptBag(p, tokens.ref.slice([], [0, c.promptLength]), keyValid.ref.slice([], [Np, Np + c.promptLength]), c);
}

/** Patch embeddings `[B, Np, d]`: linear, or through the hidden layer when the params have one. */
function embedPatches(p: P, patches: JaxArray): JaxArray {
  const first = linear(patches, p.patchWeight, p.patchBias);
  if (p.patchOutWeight === undefined || p.patchOutBias === undefined) return first;
  return linear(nn.gelu(first, { approximate: true }), p.patchOutWeight, p.patchOutBias);
}

/** The conditioning vector `[B, d]` from prompt embeddings `[B, P, d]`, their pooling scores and validity `[B, P]`. */
function promptCondition(promptEmbeddings: JaxArray, scores: JaxArray, promptValid: JaxArray, weight: JaxArray): JaxArray {
  const pooled = promptEmbeddings.mul(promptWeights(scores, promptValid)).sum(1);
  return np.matmul(pooled, weight);
}

/** The prompt's pooling weights `[B, P, 1]`: a softmax of the tokens' scores `[B, P]` over the valid ones `[B, P]`. */
function promptWeights(scores: JaxArray, promptValid: JaxArray): JaxArray {
  const [B, P] = promptValid.shape as [number, number];
  return nn.softmax(scores.add(promptValid.sub(1).mul(-MASKED)), -1).reshape([B, P, 1]);
}

/**
 * The attention bias `[B, 1, T, T]` from the fixed structure mask `[T, T]` (1 = may attend: prefix is
 * bidirectional, generated part causal) and the per-sequence key validity `[B, T]` (0 = padding).
 */
export function attentionBias(structure: JaxArray, keyValid: JaxArray): JaxArray {
  const [B, T] = keyValid.shape as [number, number];
  const allowed = structure.reshape([1, 1, T, T]).mul(keyValid.reshape([B, 1, 1, T]));
  return allowed.sub(1).mul(-MASKED);
}

/** Apply the final LayerNorm and the vocabulary head to hidden states `[…, d]`. */
export function head(p: Pick<P, 'finalScale' | 'finalBias' | 'headWeight'>, h: JaxArray): JaxArray {
  const lead = h.shape.slice(0, -1);
  const d = h.shape[h.ndim - 1] as number;
  const n = layerNorm(h.reshape([-1, d]), p.finalScale, p.finalBias);
  return np.matmul(n, p.headWeight).reshape([...lead, -1]);
}

/**
 * Teacher-forced forward pass: logits `[B, L, V]` predicting each target token from the prefix and the
 * target tokens before it. The target region may be shorter than `c.targetLength` (length buckets): its
 * length `L` is read from the shape of `tokens`.
 *
 * @param tokens `[B, promptLength + L]` int32 (prompt region, then target region).
 * @param keyValid `[B, T]` float32 with `T = patchCount + promptLength + L`, 0 for padded positions.
 * @param structure `[T, T]` float32 from {@link structureMask}.
 */
export function forwardLogits(
  p: P,
  patches: JaxArray,
  tokens: JaxArray,
  keyValid: JaxArray,
  structure: JaxArray,
  c: ModelConfig,
): JaxArray {
  const L = (tokens.shape[1] as number) - c.promptLength;
  const bag = sequencePromptBag(p, tokens, keyValid, c);
  const x = finalStates(p, patches, tokens, keyValid, structure, c);
  return generatedLogits(p, x, L, c, bag);
}

/**
 * {@link forwardLogits}, plus some columns of the vocabulary head applied to the final states of the image
 * patches (`patchLogits [B, patchCount, W]`): which of those words the model would call each patch, the
 * output the perception targets of SFT train. `selection` `[V, W]` is 1 at (token id, column) of each chosen
 * word (a matmul rather than a gather, so that the gradient stays a matmul under `jit`).
 */
export function forwardWithPatchLogits(
  p: P,
  patches: JaxArray,
  tokens: JaxArray,
  keyValid: JaxArray,
  structure: JaxArray,
  c: ModelConfig,
  selection: JaxArray,
): { logits: JaxArray; patchLogits: JaxArray } {
  const L = (tokens.shape[1] as number) - c.promptLength;
  const bag = sequencePromptBag(p, tokens, keyValid, c);
  const x = finalStates(p, patches, tokens, keyValid, structure, c);
  const patchHead = { finalScale: p.finalScale.ref, finalBias: p.finalBias.ref, headWeight: np.matmul(p.headWeight.ref, selection) };
  const patchLogits = head(patchHead, x.ref.slice([], [0, patchCount(c)], []));
  return { logits: generatedLogits(p, x, L, c, bag), patchLogits };
}

/**
 * The position embeddings of a teacher-forced sequence of `T` positions: the absolute ones `[T, d]`; with the
 * config's `answerPositions`, per sequence `[B, T, d]`, where each generated token from `<answer>` on takes
 * `answerPositions[k]` (k its offset from `<answer>`) instead. Consumes the position weights, not `tokens`
 * (`[B, promptLength + L]`).
 */
function sequencePositions(p: P, tokens: JaxArray, T: number, c: ModelConfig): JaxArray {
  const absolute = T === p.positions.shape[0] ? p.positions : p.positions.slice([0, T], []);
  if (p.answerPositions === undefined) return absolute;
  const B = tokens.shape[0] as number;
  const Tp = prefixLength(c);
  const L = T - Tp;
  const d = c.dModel;
  const target = tokens.ref.slice([], [c.promptLength, c.promptLength + L]);
  // 1 from the `<answer>` token on, and the offset from it there
  const inAnswer = np.cumsum(target.equal(ANSWER).astype(np.float32), 1).greater(0).astype(np.float32);
  const offset = np.maximum(np.cumsum(inAnswer.ref, 1).sub(1), 0).astype(np.int32);
  const answer = np.matmul(nn.oneHot(offset, c.targetLength).mul(inAnswer.ref.reshape([B, L, 1])), p.answerPositions);
  const before = inAnswer.mul(-1).add(1).reshape([B, L, 1]);
  const generated = absolute.ref.slice([Tp, T], []).reshape([1, L, d]).mul(before).add(answer);
  const prefix = np.broadcastTo(absolute.slice([0, Tp], []).reshape([1, Tp, d]), [B, Tp, d]);
  return np.concatenate([prefix, generated], 1);
}

/**
 * The row of the position table ({@link decodeStep}'s `positionTable`) of the token fed at generated position
 * `step`, when the sequence's `<answer>` token was fed at `answerStep` (−1: not yet): its absolute position, or
 * with the config's `answerPositions`, from `<answer>` on, its offset from it in the answer's table (whose rows
 * follow the absolute ones).
 *
 * @example
 * generatedPositionRow(5, 3, config); // sequenceLength(config) + 2 with answerPositions, else prefixLength(config) + 5
 */
export function generatedPositionRow(step: number, answerStep: number, c: ModelConfig): number {
  if (c.answerPositions === true && answerStep >= 0 && step >= answerStep) return sequenceLength(c) + step - answerStep;
  return prefixLength(c) + step;
}

/** The final hidden states `[B, T, d]` of a teacher-forced pass (consumes everything but the output weights). */
function finalStates(p: P, patches: JaxArray, tokens: JaxArray, keyValid: JaxArray, structure: JaxArray, c: ModelConfig): JaxArray {
  const T = keyValid.shape[1] as number;
  const Np = patchCount(c);
  const promptValid = keyValid.ref.slice([], [Np, Np + c.promptLength]);
  const bias = attentionBias(structure, keyValid);
  const embedded = embed(p, patches, tokens.ref, sequencePositions(p, tokens, T, c), promptValid);
  tokens.dispose();
  embedded.cond.dispose();
  let x = embedded.x;
  p.blocks.forEach((b, i) => {
    const out = blockFull(x, b, i === p.blocks.length - 1 ? bias : bias.ref, c);
    out.k.dispose();
    out.v.dispose();
    x = out.x;
  });
  return x;
}

/** Logits `[B, L, V]` of the `L` generated positions from the final states (vocabulary head + pointer). */
function generatedLogits(p: P, x: JaxArray, L: number, c: ModelConfig, bag?: JaxArray): JaxArray {
  const start = prefixLength(c) - 1;
  const keys = finalPointerKeys(p, x, c, bag);
  const h = x.slice([], [start, start + L], []);
  if (keys === undefined) return head(p, h);
  return head(p, h.ref).add(pointerBias(p, h, keys, c));
}

/**
 * The pointer keys of the final states `x [B, T, d]` (their image-patch part), or undefined (and the pointer
 * weights released) when the config has no pointer head. Does not consume `x`.
 */
function finalPointerKeys(p: P, x: JaxArray, c: ModelConfig, bag?: JaxArray): JaxArray | undefined {
  if (hasPointer(c)) {
    const keys = pointerKeys(p, x.ref.slice([], [0, patchCount(c)], []));
    if (bag === undefined) return keys;
    const B = x.shape[0] as number;
    const logits = head({ finalScale: p.finalScale.ref, finalBias: p.finalBias.ref, headWeight: p.headWeight.ref }, x.ref.slice([], [0, patchCount(c)], []));
    const prior = np.matmul(nn.logSoftmax(logits, -1), bag.reshape([B, c.vocabSize, 1]));
    return np.concatenate([keys, prior], -1);
  }
  p.pointerQuery.dispose();
  p.pointerKey.dispose();
  return undefined;
}

/** Keys and values per layer, each `[B, H, T, dh]`. */
export type LayerCache = { k: JaxArray[]; v: JaxArray[] };

/**
 * The prefix's keys and values per layer, the prompt conditioning vector `[B, d]`, and the pointer keys of
 * the image patches `[B, Np, d]`. A model without a pointer head carries an unused `[B, 1, 1]` zero array
 * there, so the cache has the same structure for every model (the jitted decoding step needs that).
 */
export type PrefixCache = LayerCache & { cond: JaxArray; pointerKeys: JaxArray };

/**
 * Encode the prefix (image + prompt) once: returns the logits of the first generated token `[B, V]` and
 * the prefix keys/values of every layer.
 *
 * @param promptTokens `[B, promptLength]` int32.
 * @param keyValid `[B, prefixLength]` float32 (0 = padding).
 */
export function prefill(
  p: P,
  patches: JaxArray,
  promptTokens: JaxArray,
  keyValid: JaxArray,
  c: ModelConfig,
): { logits: JaxArray; prefix: PrefixCache } {
  const Tp = prefixLength(c);
  const Np = patchCount(c);
  const B = promptTokens.shape[0] as number;
  const promptValid = keyValid.ref.slice([], [Np, Tp]);
  const bias = keyValid.sub(1).mul(-MASKED).reshape([B, 1, 1, Tp]);
  const bag = usesPointerPrior(c) ? promptBag(p, promptTokens.ref, promptValid.ref, c) : undefined;
  const embedded = embed(p, patches, promptTokens, p.positions.slice([0, Tp], []), promptValid);
  p.answerPositions?.dispose();
  let x = embedded.x;
  const k: JaxArray[] = [];
  const v: JaxArray[] = [];
  for (const b of p.blocks) {
    const out = blockFull(x, b, bias.ref, c);
    k.push(out.k);
    v.push(out.v);
    x = out.x;
  }
  bias.dispose();
  const keys = finalPointerKeys(p, x, c, bag);
  const last = x.slice([], [Tp - 1, Tp], []);
  if (keys === undefined) {
    const logits = head(p, last.reshape([B, -1]));
    return { logits, prefix: { k, v, cond: embedded.cond, pointerKeys: np.zeros([B, 1, 1]) } };
  }
  const logits = head(p, last.ref.reshape([B, -1])).add(pointerBias(p, last, keys.ref, c).reshape([B, -1]));
  return { logits, prefix: { k, v, cond: embedded.cond, pointerKeys: keys } };
}

/** An all-zero cache for the generated part: per layer `[B, H, targetLength, dh]`. */
export function emptyGenerationCache(batch: number, c: ModelConfig): LayerCache {
  const shape = [batch, c.nHeads, c.targetLength, headDim(c)];
  return {
    k: Array.from({ length: c.nLayers }, () => np.zeros(shape)),
    v: Array.from({ length: c.nLayers }, () => np.zeros(shape)),
  };
}

/**
 * One decoding step for the whole batch at generated position `step` (0-based, the same for every
 * sequence): feeds `tokens [B]` (int32), writes their keys/values into the generation cache, and returns
 * the logits of the next token `[B, V]` with the updated generation cache. The prefix cache is read only.
 *
 * @param step int32 scalar array.
 * @param prefixValid `[B, prefixLength]` float32.
 * @param positionRows `[B]` int32: each sequence's row of the position table, {@link generatedPositionRow}
 *   (the absolute positions, then with `answerPositions` the answer's).
 */
export function decodeStep(
  p: P,
  prefix: PrefixCache,
  generated: LayerCache,
  tokens: JaxArray,
  step: JaxArray,
  prefixValid: JaxArray,
  positionRows: JaxArray,
  c: ModelConfig,
): { logits: JaxArray; generated: LayerCache } {
  const B = tokens.shape[0] as number;
  const Tp = prefixLength(c);
  const L = c.targetLength;
  const slots = np.arange(L).reshape([1, 1, L, 1]);
  const here = slots.ref.equal(step.ref);
  const genBias = np.where(slots.lessEqual(step).reshape([1, 1, 1, L]), 0, MASKED);
  const prefixBias = prefixValid.sub(1).mul(-MASKED).reshape([B, 1, 1, Tp]);
  const d = c.dModel;
  const table = p.answerPositions === undefined ? p.positions : np.concatenate([p.positions, p.answerPositions], 0);
  const pos = np.take(table, positionRows, 0).reshape([B, 1, d]);
  let x = np.take(p.tokenEmbedding, tokens.reshape([B, 1]), 0).add(pos).add(prefix.cond.reshape([B, 1, d]));
  p.promptWeight.dispose();
  p.promptScore.dispose();
  const next: LayerCache = { k: [], v: [] };
  p.blocks.forEach((b, i) => {
    const h = layerNorm(x.ref, b.ln1Scale, b.ln1Bias);
    const [q, k, v] = projectQkv(h, b, c);
    const kAll = np.where(here.ref, k, generated.k[i] as JaxArray);
    const vAll = np.where(here.ref, v, generated.v[i] as JaxArray);
    next.k.push(kAll.ref);
    next.v.push(vAll.ref);
    const o = attendSegments(q, [
      { k: prefix.k[i] as JaxArray, v: prefix.v[i] as JaxArray, bias: prefixBias.ref },
      { k: kAll, v: vAll, bias: genBias.ref },
    ]);
    const x1 = x.add(linear(mergeHeads(o), b.outWeight, b.outBias));
    x = x1.ref.add(mlp(x1, b));
  });
  here.dispose();
  genBias.dispose();
  prefixBias.dispose();
  p.patchWeight.dispose();
  p.patchBias.dispose();
  p.patchOutWeight?.dispose();
  p.patchOutBias?.dispose();
  if (!hasPointer(c)) {
    p.pointerQuery.dispose();
    p.pointerKey.dispose();
    prefix.pointerKeys.dispose();
    return { logits: head(p, x.reshape([B, -1])), generated: next };
  }
  const logits = head(p, x.ref.reshape([B, -1])).add(pointerBias(p, x, prefix.pointerKeys, c).reshape([B, -1]));
  return { logits, generated: next };
}
