/**
 * Batched generation with a KV cache: the prefix (image + prompt) is encoded once, then one jitted decoding
 * step per token for the whole batch. Tokens are chosen on the host ({@link sampleToken}), optionally
 * restricted by the answer grammar, and every chosen token's log-probability is returned (GRPO needs them).
 */
import type { TaskKind } from '../protocol/types.js';
import { decodeAnswer } from './answer-tokens.js';
import { patchCount, patchDim, prefixLength } from './config.js';
import type { GrammarState } from './grammar.js';
import { GRAMMAR_CLASSES, advance, allowedClass, classTemperatures, maskTable, startState } from './grammar.js';
import type { JaxArray, OwnedFunction } from './jax.js';
import { blockUntilReady, jit, np, tree } from './jax.js';
import type { VlaModel } from './model.js';
import type { ModelParams } from './params.js';
import { Rng } from './rng.js';
import { DEFAULT_NO_REPEAT_NGRAM, repeatedNgramTokens } from './repeat-guard.js';
import { expectedCoordinate, sampleToken } from './sampling.js';
import { alignPrompt, keyValidity } from './sequence-layout.js';
import { ANSWER, PAD } from './tokenizer.js';
import type { LayerCache, PrefixCache } from './transformer.js';
import { MASKED, decodeStep, emptyGenerationCache, generatedPositionRow, prefill } from './transformer.js';

/** One prompt to complete: image patches (from {@link patchify}), prompt tokens and the task kind. */
export interface GenerationInput {
  /** `patchCount × patchDim` floats. */
  readonly patches: Float32Array;
  /** The prompt tokens (task token, instruction), unaligned. */
  readonly prompt: readonly number[];
  readonly kind: TaskKind;
}

/** Sampling options of {@link Generator.generate}. */
export interface GenerationOptions {
  /** 0 = greedy. Default 0. */
  readonly temperature?: number;
  /** Default 1. */
  readonly topP?: number;
  /**
   * When sampling, the temperature of every step of the rationale (see `classTemperatures`); the answer's steps
   * keep `temperature`. Default: `temperature`.
   */
  readonly reasoningTemperature?: number;
  /**
   * When sampling, how the answer's steps are decoded: `sample` (the default: from the policy, like the
   * rationale) or `greedy` (as temperature 0 decodes them, with {@link GenerationOptions.coordinates}), so that
   * the rationale alone is sampled and the answer is the one the rationale leads to under greedy decoding.
   */
  readonly answerDecoding?: 'sample' | 'greedy';
  /** Cap on generated tokens (at most the model's `targetLength`). */
  readonly maxTokens?: number;
  /** Seed of the host sampler. Default 0. */
  readonly seed?: number;
  /** Restrict tokens to the answer grammar. Default true. */
  readonly constrained?: boolean;
  /** Largest batch run at once (larger inputs are split). Default 64. */
  readonly batchSize?: number;
  /**
   * How greedy decoding (temperature 0) picks coordinate tokens: `expectation` (the bin nearest to the mean
   * under the model's distribution, minimum-Bayes-risk for squared error), `argmax`, or `mode` (the mean over
   * the bins within `coordinateWindow` of the argmax: the argmax's choice among separate peaks, the mean's
   * precision within the chosen one). Default {@link GREEDY_COORDINATES}, by task kind.
   */
  readonly coordinates?: CoordinateDecoding;
  /** Half-width in bins of the `mode` window. Default {@link DEFAULT_MODE_WINDOW}. */
  readonly coordinateWindow?: number;
  /**
   * While reasoning, never write a text or coordinate token that repeats an n-gram of this size
   * (`repeat-guard.ts`); 0 = off.
   * Default {@link DEFAULT_NO_REPEAT_NGRAM} for greedy decoding, off for sampling (sampled answers keep the
   * policy's own distribution, as policy-gradient training needs).
   */
  readonly noRepeatNgram?: number;
  /**
   * Run the decoding kernels on the calling thread (`sync`, the default: no worker round trips, best for
   * the small per-token kernels) or on the engine's worker threads (`async`).
   */
  readonly execution?: 'sync' | 'async';
}

/** How greedy decoding picks a coordinate token (see {@link GenerateOptions.coordinates}). */
export type CoordinateDecoding = 'expectation' | 'argmax' | 'mode';

/**
 * Greedy coordinate decoding by task kind. A box is scored by its overlap with one object, so when the model
 * hesitates between objects it must pick one (`mode`; the mean of two objects' places overlaps neither). A
 * trajectory is scored by distances, which the mean minimises (`expectation`). Measured on the tabletop in
 * docs/MODEL.md.
 */
export const GREEDY_COORDINATES: Readonly<Record<TaskKind, CoordinateDecoding>> = { affordance: 'mode', trajectory: 'expectation' };

/** The sampling setting of a greedy step that is not a coordinate (argmax). */
const GREEDY_SAMPLING = { temperature: 0, topP: 1 };

/** Half-width in bins of the window of `mode` coordinate decoding. */
export const DEFAULT_MODE_WINDOW = 8;

/** One completion. */
export interface Generation {
  /** Generated tokens, up to and including `<eos>` when it was reached. */
  readonly tokens: number[];
  /** Log-probability of each generated token under the (masked, tempered) sampling distribution. */
  readonly logProbs: number[];
  /** The answer text (exact VLA-R1 form when well formed). */
  readonly text: string;
  /** True when `<eos>` was generated. */
  readonly finished: boolean;
}

type Params = ModelParams<JaxArray>;
type PrefillFn = OwnedFunction<(p: Params, patches: JaxArray, prompt: JaxArray, valid: JaxArray) => { logits: JaxArray; prefix: PrefixCache }>;
type StepFn = OwnedFunction<
  (p: Params, prefix: PrefixCache, gen: LayerCache, tokens: JaxArray, step: JaxArray, valid: JaxArray, rows: JaxArray) => { logits: JaxArray; generated: LayerCache }
>;

const X_CLASS = GRAMMAR_CLASSES.indexOf('x');
const Y_CLASS = GRAMMAR_CLASSES.indexOf('y');
const X_OR_EOS_CLASS = GRAMMAR_CLASSES.indexOf('x-or-eos');

/** Round a batch up to a power of two so a few compiled shapes serve every request size. */
function paddedBatch(n: number, cap: number): number {
  let b = 1;
  while (b < n && b < cap) b *= 2;
  return Math.min(b, cap);
}

/**
 * Generates answers for a model; keeps its compiled functions between calls.
 *
 * @example
 * const gen = new Generator(model);
 * const [out] = await gen.generate([{ patches, prompt: encodePrompt(tok, 'pick the mug.', 'affordance'), kind: 'affordance' }]);
 * out.text; // '<think>…</think> so, the answer is <output>{"x": …}</output>'
 */
export class Generator {
  readonly #model: VlaModel;
  readonly #prefill: PrefillFn;
  readonly #step: StepFn;
  readonly #masks: Float32Array;

  constructor(model: VlaModel) {
    this.#model = model;
    const c = model.config;
    this.#prefill = jit((p: Params, patches: JaxArray, prompt: JaxArray, valid: JaxArray) => prefill(p, patches, prompt, valid, c));
    this.#step = jit((p: Params, prefix: PrefixCache, gen: LayerCache, tokens: JaxArray, step: JaxArray, valid: JaxArray, rows: JaxArray) =>
      decodeStep(p, prefix, gen, tokens, step, valid, rows, c),
    );
    this.#masks = maskTable(model.tokenizer);
  }

  /** Complete every input, in order. */
  async generate(inputs: readonly GenerationInput[], options: GenerationOptions = {}): Promise<Generation[]> {
    const cap = Math.max(1, options.batchSize ?? 64);
    const rng = new Rng(options.seed ?? 0);
    // Synchronous reads need inputs without pending asynchronous work (e.g. weights just updated).
    if ((options.execution ?? 'sync') === 'sync') await blockUntilReady(this.#model.params);
    const out: Generation[] = [];
    for (let start = 0; start < inputs.length; start += cap) {
      out.push(...(await this.#generateBatch(inputs.slice(start, start + cap), options, rng, cap)));
    }
    return out;
  }

  async #generateBatch(inputs: readonly GenerationInput[], options: GenerationOptions, rng: Rng, cap: number): Promise<Generation[]> {
    const { config: c, tokenizer: tok, grammar } = this.#model;
    const n = inputs.length;
    const B = paddedBatch(n, cap);
    const Np = patchCount(c);
    const Pd = patchDim(c);
    const Tp = prefixLength(c);
    const V = c.vocabSize;
    const patches = new Float32Array(B * Np * Pd);
    const prompt = new Int32Array(B * c.promptLength);
    const valid = new Float32Array(B * Tp);
    for (let b = 0; b < B; b++) {
      const input = inputs[Math.min(b, n - 1)] as GenerationInput;
      if (input.patches.length !== Np * Pd) throw new Error(`generate: expected ${Np * Pd} patch floats, got ${input.patches.length}`);
      patches.set(input.patches, b * Np * Pd);
      const aligned = alignPrompt(input.prompt, c.promptLength);
      prompt.set(aligned, b * c.promptLength);
      valid.set(keyValidity(aligned, c, false), b * Tp);
    }
    const validArray = np.array(valid).reshape([B, Tp]);
    const first = this.#prefill(
      tree.ref(this.#model.params),
      np.array(patches).reshape([B, Np, Pd]),
      np.array(prompt, { dtype: np.int32 }).reshape([B, c.promptLength]),
      validArray.ref,
    );
    const prefix = first.prefix;
    let generated = emptyGenerationCache(B, c);
    let logits: JaxArray | undefined = first.logits;

    const maxTokens = Math.min(c.targetLength, options.maxTokens ?? c.targetLength);
    const constrained = options.constrained ?? true;
    const sync = (options.execution ?? 'sync') === 'sync';
    const sampling = { temperature: options.temperature ?? 0, topP: options.topP ?? 1 };
    // One sampling setting per grammar class: the rationale's steps may have their own temperature.
    const reasoning = options.reasoningTemperature;
    const temperatures = reasoning !== undefined && sampling.temperature > 0 ? classTemperatures(sampling.temperature, reasoning) : undefined;
    const samplingByClass = GRAMMAR_CLASSES.map((_, c) => (temperatures === undefined ? sampling : { ...sampling, temperature: temperatures[c] as number }));
    // Greedy decoding picks coordinates by mean or mode; sampling (and greedy `argmax`) goes through sampleToken.
    const greedyCoordinates = inputs.map((i) => options.coordinates ?? GREEDY_COORDINATES[i.kind]);
    const decoding = greedyCoordinates.map((d) => (sampling.temperature <= 0 ? d : undefined));
    const answerGreedy = sampling.temperature > 0 && options.answerDecoding === 'greedy';
    const windows = greedyCoordinates.map((d) => (d === 'mode' ? (options.coordinateWindow ?? DEFAULT_MODE_WINDOW) : Infinity));
    const xRange = { offset: tok.coordinateOffset, bins: tok.coordinateBins };
    const yRange = { offset: tok.coordinateOffset + tok.coordinateBins, bins: tok.coordinateBins };
    const states: GrammarState[] = inputs.map((i) => startState(i.kind));
    const tokens: number[][] = inputs.map(() => []);
    const logProbs: number[][] = inputs.map(() => []);
    const scratch = new Float64Array(V);
    const noRepeat = options.noRepeatNgram ?? (sampling.temperature <= 0 ? DEFAULT_NO_REPEAT_NGRAM : 0);
    const guardedMask = new Float32Array(V);
    const next = new Int32Array(B);
    // Where each sequence's `<answer>` was fed (−1: not yet), for the position rows of its answer.
    const answerSteps = new Int32Array(B).fill(-1);
    const positionRows = new Int32Array(B);
    try {
      for (let t = 0; t < maxTokens; t++) {
        const host = (sync ? (logits as JaxArray).dataSync() : await (logits as JaxArray).data()) as Float32Array;
        logits = undefined;
        let active = 0;
        next.fill(PAD);
        for (let b = 0; b < n; b++) {
          const state = states[b] as GrammarState;
          if (state.phase === 'done') continue;
          const cls = GRAMMAR_CLASSES.indexOf(allowedClass(state, grammar, maxTokens));
          let mask = constrained ? this.#masks.subarray(cls * V, (cls + 1) * V) : undefined;
          if (noRepeat > 0 && state.phase === 'reasoning') mask = this.#guardRepeats(mask, tokens[b] as number[], noRepeat, guardedMask);
          const axis = cls === X_CLASS || cls === X_OR_EOS_CLASS ? 'x' : cls === Y_CLASS ? 'y' : undefined;
          const greedyAnswer = answerGreedy && state.phase === 'answer';
          const coordinates = greedyAnswer ? greedyCoordinates[b] : decoding[b];
          const { token, logProb } =
            axis !== undefined && (coordinates === 'expectation' || coordinates === 'mode')
              ? expectedCoordinate(host, b * V, V, mask, axis === 'x' ? xRange : yRange, scratch, windows[b])
              : sampleToken(host, b * V, V, mask, greedyAnswer ? GREEDY_SAMPLING : (samplingByClass[cls] ?? sampling), rng, scratch);
          next[b] = token;
          tokens[b]?.push(token);
          logProbs[b]?.push(logProb);
          states[b] = advance(state, token, tok);
          if ((states[b] as GrammarState).phase !== 'done') active++;
        }
        if (active === 0 || t === maxTokens - 1) break;
        for (let b = 0; b < B; b++) {
          if (next[b] === ANSWER && answerSteps[b] === -1) answerSteps[b] = t;
          positionRows[b] = generatedPositionRow(t, answerSteps[b] as number, c);
        }
        const result = this.#step(
          tree.ref(this.#model.params),
          tree.ref(prefix),
          generated,
          np.array(next, { dtype: np.int32 }),
          np.array(t, { dtype: np.int32 }),
          validArray.ref,
          np.array(positionRows, { dtype: np.int32 }),
        );
        logits = result.logits;
        generated = result.generated;
      }
    } finally {
      logits?.dispose();
      tree.dispose(generated);
      tree.dispose(prefix);
      validArray.dispose();
    }
    return inputs.map((input, b) => {
      const toks = tokens[b] as number[];
      return {
        tokens: toks,
        logProbs: logProbs[b] as number[],
        text: decodeAnswer(tok, toks, input.kind),
        finished: (states[b] as GrammarState).phase === 'done',
      };
    });
  }

  /**
   * `mask` (or no restriction) with the text and coordinate tokens that would repeat an n-gram of `history`
   * masked out too (`<answer>` stays allowed, so reasoning can always end),
   * written into `out`; `mask` itself when nothing is banned.
   */
  #guardRepeats(mask: Float32Array | undefined, history: readonly number[], n: number, out: Float32Array): Float32Array | undefined {
    const tok = this.#model.tokenizer;
    const banned = repeatedNgramTokens(history, n).filter((t) => tok.isText(t) || tok.isCoordinate(t));
    if (banned.length === 0) return mask;
    if (mask) out.set(mask);
    else out.fill(0);
    for (const t of banned) out[t] = MASKED;
    return out;
  }

  /** Free the compiled functions. */
  dispose(): void {
    this.#prefill.dispose();
    this.#step.dispose();
  }
}
