/**
 * CoT-SFT: supervised fine-tuning of the small VLA model on rationale + answer (or the answer alone with
 * `cot: false`), in-process on the CPU.
 *
 * A run writes into its output folder:
 * - `checkpoint/`: weights, config, tokenizer, AdamW moments and trainer state (atomic; every `saveEvery`
 *   steps, at the end, and when stopped);
 * - `metrics.jsonl`: one line per logged step (loss, learning rate, gradient norm, tokens/s) and per evaluation.
 *
 * Resuming (`resume: true`) reloads the checkpoint and continues with the run's saved options, data cursor
 * and moments, reproducing the uninterrupted run exactly.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { LoadedRecord } from '../data/records.js';
import { readRecords } from '../data/records.js';
import { labelsFileFor, readSceneLabels } from '../data/scene-labels.js';
import { UserError } from '../errors.js';
import type { EvalMetrics } from '../eval/metrics.js';
import { createProgress } from '../progress.js';
import type { Checkpoint, CheckpointConfig } from '../model/checkpoint.js';
import { CHECKPOINT_FORMAT, loadCheckpoint, resolveCheckpointDir, saveCheckpoint } from '../model/checkpoint.js';
import { encodeTarget } from '../model/answer-tokens.js';
import type { ModelConfig } from '../model/config.js';
import { ModelConfigSchema, prefixLength, sequenceLength } from '../model/config.js';
import { Generator } from '../model/generate.js';
import type { JaxArray } from '../model/jax.js';
import { np, ready, tree } from '../model/jax.js';
import type { SequenceBatch } from '../model/loss.js';
import { coordinatePlaces, sftLoss } from '../model/loss.js';
import type { VlaModel } from '../model/model.js';
import { paramsToDevice, paramsToHost } from '../model/model.js';
import type { ModelParams } from '../model/params.js';
import { countParams, initParams } from '../model/params.js';
import { applyPositionCode } from '../model/position-code.js';
import { applyPromptWeighting } from '../model/prompt-weighting.js';
import { Rng } from '../model/rng.js';
import { structureMask } from '../model/sequence-layout.js';
import { Tokenizer } from '../model/tokenizer.js';
import type { AdamWState } from './adamw.js';
import { createTrainStep, stepScalars, zeroMoments } from './adamw.js';
import type { HostBatch } from './batch.js';
import { deviceBatch, devicePerception, hostBatch, selectionMatrix } from './batch.js';
import { DataCursorSchema, bucketFor, lengthBuckets, nextBatch, startCursor } from './data-order.js';
import type { DataCursor } from './data-order.js';
import { evaluateExamples } from './evaluate.js';
import type { Example, ExampleLabels } from './examples.js';
import { buildExamples, mergeTexts, recordRationale, vocabularyTexts } from './examples.js';
import { MetricsLog } from './metrics-log.js';
import { perceptionEncoder } from './perception.js';
import { learningRate } from './schedule.js';
import type { SftOptions, SftOptionsInput } from './sft-options.js';
import { SftOptionsSchema, shapeOptionsOf } from './sft-options.js';

const STATE_FORMAT = 'vla-r1-sft-state/1';

const SftStateSchema = z
  .object({
    format: z.literal(STATE_FORMAT),
    step: z.number().int().nonnegative(),
    cursor: DataCursorSchema,
    options: SftOptionsSchema,
    data: z.object({ file: z.string(), sha256: z.string(), records: z.number().int() }).strict(),
    seconds: z.number().nonnegative(),
    /** The checkpoint the run started from (`initCheckpoint`), if any. */
    init: z.string().optional(),
  })
  .strict();
type SftState = z.infer<typeof SftStateSchema>;

/** What to run. */
export interface SftRun {
  /** Folder with `train.json` (and optionally `test.json` for evaluation). */
  readonly dataDir: string;
  readonly outDir: string;
  readonly options?: SftOptionsInput;
  /** Continue from `outDir/checkpoint` when it exists. */
  readonly resume?: boolean;
  /**
   * Start from this checkpoint (or run folder) instead of a fresh initialisation: its weights, model shape and
   * tokenizer, with a fresh optimizer and schedule. Its target region must hold this run's targets (train it
   * with `rationaleVocabulary` when it is plain SFT and this run is CoT-SFT).
   */
  readonly initCheckpoint?: string;
  /** Stop (and save) after this global step, as if interrupted (tests, time limits). */
  readonly stopAfter?: number;
  /** Stop (and save) at the next step boundary when aborted (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** No progress output. */
  readonly silent?: boolean;
  /** Where informational lines go (default stderr unless silent). */
  readonly log?: (line: string) => void;
}

/** What a run reports. */
export interface SftResult {
  readonly checkpointDir: string;
  readonly steps: number;
  readonly completed: boolean;
  /** Mean loss over the last logged window. */
  readonly loss: number;
  /** Losses of every step run in this call, in order. */
  readonly losses: number[];
  readonly seconds: number;
  /** Sequence tokens (all positions) processed per second. */
  readonly tokensPerSecond: number;
  readonly evaluation?: EvalMetrics;
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/**
 * The model config of SFT options: the options' shape, a tokenizer's vocabulary (and coordinate bins, when the
 * options ask for the pointer head) and prompt and target regions of the given lengths, capped by the options.
 *
 * @example
 * const config = sftModelConfig(tokenizer, SftOptionsSchema.parse({}), 24, 64);
 */
export function sftModelConfig(tok: Tokenizer, o: SftOptions, promptLength: number, targetLength: number): ModelConfig {
  return ModelConfigSchema.parse({
    imageSize: o.imageSize,
    patchSize: o.patchSize,
    dModel: o.dModel,
    nLayers: o.nLayers,
    nHeads: o.nHeads,
    mlpRatio: o.mlpRatio,
    ...(o.patchHidden > 0 ? { patchHidden: o.patchHidden } : {}),
    ...(o.pointerPrior && o.pointerHead ? { pointerPrior: true } : {}),
    ...(o.patchContext > 0 ? { patchContext: o.patchContext } : {}),
    ...(o.answerPositions ? { answerPositions: true } : {}),
    vocabSize: tok.vocabSize,
    promptLength: Math.min(o.maxPromptLength, promptLength),
    targetLength: Math.min(o.maxTargetLength, targetLength),
    coordinateBins: o.pointerHead ? tok.coordinateBins : 0,
  });
}

/** The longest rationale + answer target of the records, in tokens (a plain run that makes room for CoT). */
function longestRationaleTarget(records: readonly LoadedRecord[], tok: Tokenizer): number {
  return Math.max(...records.map((r) => encodeTarget(tok, recordRationale(r), r.action).length));
}

/** Throws unless the prompt and target regions of the starting checkpoint hold this run's longest ones. */
function requireRoom(initDir: string, c: ModelConfig, trainFile: string, longestPrompt: number, longestTarget: number): void {
  const check = (region: string, room: number, needed: number, hint = ''): void => {
    if (needed > room) throw new UserError(`--init ${initDir}: its ${region} region holds ${room} tokens, but ${trainFile} needs ${needed}${hint}`);
  };
  check('prompt', c.promptLength, longestPrompt);
  check('target', c.targetLength, longestTarget, ' (train the starting checkpoint with --rationale-vocabulary so that it makes room for rationales)');
}

function maxPointsOf(records: readonly LoadedRecord[]): number {
  return Math.max(1, ...records.map((r) => (r.action.kind === 'trajectory' ? r.action.points.length : 1)));
}

/**
 * Run (or resume) CoT-SFT.
 *
 * @example
 * const result = await trainSft({ dataDir: 'data/synth', outDir: 'runs/sft', options: { seed: 0 } });
 * result.checkpointDir; // 'runs/sft/checkpoint'
 */
export async function trainSft(run: SftRun): Promise<SftResult> {
  const say = run.log ?? ((line: string) => (run.silent ? undefined : process.stderr.write(`${line}\n`)));
  const trainFile = join(run.dataDir, 'train.json');
  const testFile = join(run.dataDir, 'test.json');
  const checkpointDir = join(run.outDir, 'checkpoint');
  if (!(await fileExists(trainFile))) throw new UserError(`${trainFile}: missing (expected the training split of --data)`);
  const resuming = run.resume === true && (await fileExists(join(checkpointDir, 'trainer-state.json')));
  if (!resuming && (await fileExists(checkpointDir))) {
    throw new UserError(`${checkpointDir}: a checkpoint already exists; pass --resume to continue it or choose another --out`);
  }
  await mkdir(run.outDir, { recursive: true });
  await ready();

  const trainRecords = await readRecords(trainFile);
  const trainHash = await sha256(trainFile);
  let options: SftOptions;
  let tokenizer: Tokenizer;
  let ckptConfig!: CheckpointConfig;
  let params!: ModelParams<JaxArray>;
  let state!: AdamWState;
  let step = 0;
  let cursor: DataCursor;
  let secondsBefore = 0;
  let init: Checkpoint | undefined;
  let initDir: string | undefined;
  const metricsLog = new MetricsLog(join(run.outDir, 'metrics.jsonl'));

  if (resuming) {
    const ckpt = await loadCheckpoint(checkpointDir, { training: true });
    const parsed = SftStateSchema.safeParse(ckpt.trainerState);
    if (!parsed.success) throw new UserError(`${join(checkpointDir, 'trainer-state.json')}: not an SFT trainer state (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const saved: SftState = parsed.data;
    if (saved.data.sha256 !== trainHash) {
      throw new UserError(`${trainFile}: differs from the training data of the checkpoint in ${checkpointDir} (${saved.data.file}); cannot resume`);
    }
    if (!ckpt.optimizer) throw new UserError(`${join(checkpointDir, 'optimizer.safetensors')}: missing; cannot resume`);
    options = saved.options;
    tokenizer = ckpt.tokenizer;
    ckptConfig = ckpt.config;
    params = paramsToDevice(ckpt.params);
    state = { m: paramsToDevice(ckpt.optimizer.m), v: paramsToDevice(ckpt.optimizer.v) };
    step = saved.step;
    cursor = saved.cursor;
    secondsBefore = saved.seconds;
    initDir = saved.init;
    if (run.initCheckpoint !== undefined && resolve(await resolveCheckpointDir(run.initCheckpoint)) !== initDir) {
      throw new UserError(`--init ${run.initCheckpoint}: the run in ${run.outDir} started from ${initDir ?? 'a fresh initialisation'}`);
    }
    await metricsLog.truncateAfter(step);
    say(`sft: resuming ${checkpointDir} at step ${step}/${options.steps} (saved options apply)`);
  } else {
    if (run.initCheckpoint !== undefined) {
      initDir = resolve(await resolveCheckpointDir(run.initCheckpoint));
      init = await loadCheckpoint(initDir);
    }
    options = SftOptionsSchema.parse({ ...run.options, ...(init === undefined ? {} : shapeOptionsOf(init.config.model)) });
    const withRationales = options.rationaleVocabulary ?? options.cot;
    tokenizer =
      init?.tokenizer ??
      Tokenizer.train(vocabularyTexts(trainRecords, withRationales), {
        coordinateBins: options.coordinateBins,
        minCount: options.minPieceCount,
        maxMerges: options.maxMerges,
        mergeMinCount: options.mergeMinCount,
        mergeTexts: mergeTexts(trainRecords, withRationales),
      });
    cursor = startCursor(options.seed);
    await metricsLog.truncateAfter(0);
  }

  const labelsFile = labelsFileFor(trainFile);
  const labelLines = options.perceptionWeight > 0 && (await fileExists(labelsFile)) ? await readSceneLabels(labelsFile) : undefined;
  const encoder = labelLines === undefined ? undefined : perceptionEncoder(tokenizer, labelLines);
  // No label word is a piece of the vocabulary: nothing to teach the patches.
  const labels: ExampleLabels | undefined =
    labelLines === undefined || encoder === undefined || encoder.vocabulary.length === 0
      ? undefined
      : { file: labelsFile, lines: labelLines, encoder, grid: options.imageSize / options.patchSize };
  const progressLoad = createProgress({ label: 'sft: images', total: trainRecords.length, unit: 'images', silent: run.silent === true });
  let loaded = 0;
  const trainExamples = await buildExamples(
    trainRecords,
    tokenizer,
    options.imageSize,
    options.cot,
    (done) => {
      progressLoad.tick(done - loaded);
      loaded = done;
    },
    labels,
  );
  progressLoad.done();

  if (!resuming) {
    const longestPrompt = Math.max(...trainExamples.map((e) => e.prompt.length));
    // A plain run with the rationale vocabulary makes room for the CoT targets it does not train on.
    const longestTarget = !options.cot && options.rationaleVocabulary === true ? longestRationaleTarget(trainRecords, tokenizer) : Math.max(...trainExamples.map((e) => e.target.length));
    const config = init?.config.model ?? sftModelConfig(tokenizer, options, longestPrompt, longestTarget);
    if (init !== undefined && initDir !== undefined) requireRoom(initDir, config, trainFile, longestPrompt, longestTarget);
    ckptConfig = {
      format: CHECKPOINT_FORMAT,
      model: config,
      grammar: { maxPoints: maxPointsOf(trainRecords), thinking: options.cot },
      info: { stage: options.cot ? 'cot-sft' : 'sft', data: trainFile, records: trainRecords.length, ...(initDir === undefined ? {} : { init: initDir }) },
    };
    let host = init?.params;
    if (host === undefined) {
      host = initParams(config, new Rng(options.seed));
      if (options.positionCode) applyPositionCode(host, config, tokenizer);
      applyPromptWeighting(
        host,
        trainExamples.map((e) => e.prompt),
      );
    }
    params = paramsToDevice(host);
    state = zeroMoments(params);
  }
  const config = ckptConfig.model;
  const lengths = trainExamples.map((e) => Math.min(e.target.length, config.targetLength));
  const buckets = lengthBuckets(lengths, config.targetLength, options.lengthBuckets);
  say(
    `sft: ${trainRecords.length} examples, ${countParams(config)} parameters, vocabulary ${tokenizer.vocabSize}, ` +
      `sequence ${sequenceLength(config)} (prompt ${config.promptLength}, target ${config.targetLength}, buckets ${buckets.join('/')}), ${options.cot ? 'CoT' : 'no CoT'}${initDir === undefined ? '' : `, from ${initDir}`}`,
  );

  let testExamples: Example[] = [];
  if (options.evalSamples > 0 && (await fileExists(testFile))) {
    const testRecords = (await readRecords(testFile)).slice(0, options.evalSamples);
    testExamples = await buildExamples(testRecords, tokenizer, options.imageSize, options.cot);
  }

  const structures = new Map<number, JaxArray>();
  const structureFor = (L: number): JaxArray => {
    let s = structures.get(L);
    if (!s) {
      const n = prefixLength(config) + L;
      s = np.array(structureMask(config, L)).reshape([n, n]);
      structures.set(L, s);
    }
    return s.ref;
  };
  const adam = { beta1: options.beta1, beta2: options.beta2, eps: 1e-8, weightDecay: options.weightDecay, maxGradNorm: options.maxGradNorm };
  const sigma = options.coordinateSigma;
  const placesHost = coordinatePlaces(tokenizer);
  const coordinateIds = { offset: tokenizer.coordinateOffset, count: 2 * tokenizer.coordinateBins };
  const places = np.array(placesHost.subarray(coordinateIds.offset, coordinateIds.offset + coordinateIds.count));
  const perceptionWeight = labels === undefined ? 0 : options.perceptionWeight;
  type StepBatch = SequenceBatch & {
    structure: JaxArray;
    places: JaxArray;
    targetPlaces: JaxArray;
    perceptionSelection: JaxArray;
    perceptionLabels: JaxArray;
    perceptionWeights: JaxArray;
  };
  const trainStep = createTrainStep((p, b: StepBatch) => {
    const { structure: s, places: pl, targetPlaces, perceptionSelection, perceptionLabels, perceptionWeights, ...batch } = b;
    const perception =
      perceptionWeight > 0 ? { selection: perceptionSelection, labels: perceptionLabels, weights: perceptionWeights, weight: perceptionWeight } : undefined;
    if (perception === undefined) {
      perceptionSelection.dispose();
      perceptionLabels.dispose();
      perceptionWeights.dispose();
    }
    if (sigma > 0) return sftLoss(p, batch, s, config, { places: pl, offset: coordinateIds.offset, targetPlaces, sigma }, perception);
    pl.dispose();
    targetPlaces.dispose();
    return sftLoss(p, batch, s, config, undefined, perception);
  }, adam);
  const perceptionSelection = labels === undefined ? np.zeros([1]) : selectionMatrix(labels.encoder.vocabulary, config.vocabSize);
  const perceptionBatch = (host: HostBatch): { perceptionSelection: JaxArray; perceptionLabels: JaxArray; perceptionWeights: JaxArray } => {
    const selection = perceptionSelection.ref;
    if (host.perception === undefined) return { perceptionSelection: selection, perceptionLabels: np.zeros([1], { dtype: np.int32 }), perceptionWeights: np.zeros([1]) };
    const d = devicePerception(host.perception, host.size, config);
    return { perceptionSelection: selection, perceptionLabels: d.labels, perceptionWeights: d.weights };
  };
  const schedule = { peak: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps, minRatio: options.minLrRatio };

  const save = async (): Promise<void> => {
    const [hostParams, m, v] = await Promise.all([paramsToHost(params), paramsToHost(state.m), paramsToHost(state.v)]);
    const trainerState: SftState = {
      format: STATE_FORMAT,
      step,
      cursor,
      options,
      data: { file: trainFile, sha256: trainHash, records: trainRecords.length },
      seconds: secondsBefore + (performance.now() - started) / 1000,
      ...(initDir === undefined ? {} : { init: initDir }),
    };
    const ckpt: Checkpoint = {
      config: { ...ckptConfig, info: { ...ckptConfig.info, steps: step, completed: step >= options.steps } },
      tokenizer,
      params: hostParams,
      optimizer: { m, v },
      trainerState,
    };
    await saveCheckpoint(checkpointDir, ckpt);
  };

  const evaluate = async (): Promise<EvalMetrics | undefined> => {
    if (testExamples.length === 0) return undefined;
    const model: VlaModel = { config, tokenizer, grammar: ckptConfig.grammar, params };
    const generator = new Generator(model);
    try {
      const result = await evaluateExamples(generator, config, testExamples);
      await metricsLog.write({ step, eval: result.metrics, samples: testExamples.length, generationTokensPerSecond: result.tokensPerSecond });
      const a = result.metrics.affordance;
      const t = result.metrics.trajectory;
      say(
        `sft: step ${step} eval (${testExamples.length} test samples): affordance IoU ${a.iou?.toFixed(1) ?? '-'} ` +
          `(fail ${a.parse_failure_rate?.toFixed(2) ?? '-'}), trajectory Avg ${t.avg?.toFixed(1) ?? '-'} (fail ${t.parse_failure_rate?.toFixed(2) ?? '-'})`,
      );
      return result.metrics;
    } finally {
      generator.dispose();
    }
  };

  const started = performance.now();
  const progress = createProgress({ label: options.cot ? 'cot-sft' : 'sft', total: options.steps - step, unit: 'steps', silent: run.silent === true });
  const losses: number[] = [];
  let window: number[] = [];
  let tokensDone = 0;
  let lastEval: EvalMetrics | undefined;
  const stopAt = Math.min(options.steps, run.stopAfter ?? Infinity);
  try {
    while (step < stopAt && run.signal?.aborted !== true) {
      const next = nextBatch(trainExamples.length, options.batchSize, cursor, lengths);
      const L = bucketFor(Math.max(...next.indices.map((i) => lengths[i] as number)), buckets);
      const host = hostBatch(
        next.indices.map((i) => trainExamples[i] as Example),
        config,
        L,
        placesHost,
        options.coordinateWeight,
      );
      const t = step + 1;
      const lr = learningRate(schedule, t);
      const result = trainStep(params, state, {
          ...deviceBatch(host, config),
          structure: structureFor(L),
          places: places.ref,
          targetPlaces: np.array(host.targetPlaces).reshape([host.size, L]),
          ...perceptionBatch(host),
        }, stepScalars(lr, t, adam));
      params = result.params;
      state = result.state;
      const [lossData, normData] = await Promise.all([result.loss.data(), result.gradNorm.data()]);
      const loss = lossData[0] as number;
      const gradNorm = normData[0] as number;
      if (!Number.isFinite(loss)) throw new Error(`sft: the loss became ${loss} at step ${t}`);
      step = t;
      cursor = next.cursor;
      losses.push(loss);
      window.push(loss);
      tokensDone += host.size * (prefixLength(config) + L);
      const elapsed = (performance.now() - started) / 1000;
      const tokensPerSecond = tokensDone / elapsed;
      progress.tick(1, `loss ${loss.toFixed(3)} ${Math.round(tokensPerSecond)} tok/s`);
      if (step % 10 === 0 || step === stopAt) {
        await metricsLog.write({
          step,
          loss: window.reduce((a, b) => a + b, 0) / window.length,
          lr,
          gradNorm,
          epoch: cursor.epoch,
          tokensPerSecond,
          seconds: secondsBefore + elapsed,
        });
        window = [];
      }
      if (options.evalEvery > 0 && step % options.evalEvery === 0 && step < options.steps) lastEval = await evaluate();
      if (options.saveEvery > 0 && step % options.saveEvery === 0 && step < stopAt) await save();
    }
    if (step >= options.steps) lastEval = await evaluate();
    await save();
  } finally {
    progress.done();
    for (const s of structures.values()) s.dispose();
    places.dispose();
    perceptionSelection.dispose();
    trainStep.dispose();
    tree.dispose([params, state]);
  }
  const seconds = (performance.now() - started) / 1000;
  const tail = losses.slice(-10);
  return {
    checkpointDir,
    steps: step,
    completed: step >= options.steps,
    loss: tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN,
    losses,
    seconds,
    tokensPerSecond: tokensDone / Math.max(seconds, 1e-9),
    ...(lastEval ? { evaluation: lastEval } : {}),
  };
}
