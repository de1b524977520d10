/**
 * GRPO with verifiable rewards: reinforcement learning of the small VLA model from a (CoT-)SFT checkpoint,
 * in-process on the CPU, with the official VLA-R1 reward.
 *
 * Each step takes B prompts from the training split, samples G answers per prompt (temperature T, the answer
 * grammar enforced), scores each answer text with `computeScore` against the record's answer, turns the
 * rewards into group-relative advantages, and makes μ AdamW updates of the clipped surrogate + k3 KL to the
 * frozen reference (the initial checkpoint), on fixed shapes (one compilation per run).
 *
 * A run writes into its output folder:
 * - `checkpoint/`: weights, config, tokenizer, AdamW moments and trainer state (every `saveEvery` steps, at
 *   the end, and when stopped);
 * - `metrics.jsonl`: one line per step (reward and its parts, KL, clip fraction, entropy, answer length,
 *   zero-spread share, time in sampling / scoring / reference / update) and one per evaluation.
 *
 * Resuming reloads the checkpoint, the data cursor and the moments, and the reference from the initial
 * checkpoint (checked by hash); sampling seeds derive from (seed, step), so a resumed run is the same run.
 */
import { createHash } from 'node:crypto';
import { access, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { readRecords } from '../data/records.js';
import { UserError } from '../errors.js';
import type { EvalMetrics } from '../eval/metrics.js';
import type { Checkpoint, CheckpointConfig } from '../model/checkpoint.js';
import { CHECKPOINT_FILES, loadCheckpoint, resolveCheckpointDir, saveCheckpoint } from '../model/checkpoint.js';
import { sequenceLength } from '../model/config.js';
import { Generator } from '../model/generate.js';
import { classTemperatures, maskTable } from '../model/grammar.js';
import { patchify } from '../model/image.js';
import type { JaxArray } from '../model/jax.js';
import { blockUntilReady, np, ready, tree } from '../model/jax.js';
import type { VlaModel } from '../model/model.js';
import { paramsToDevice, paramsToHost } from '../model/model.js';
import type { ModelParams } from '../model/params.js';
import { countParams } from '../model/params.js';
import { structureMask } from '../model/sequence-layout.js';
import type { Tokenizer } from '../model/tokenizer.js';
import { createProgress } from '../progress.js';
import type { AdamWOptions, AdamWState } from './adamw.js';
import { stepScalars, zeroMoments } from './adamw.js';
import { groupAdvantages } from './advantages.js';
import type { DataCursor } from './data-order.js';
import { DataCursorSchema, nextBatch, startCursor } from './data-order.js';
import { evaluateExamples } from './evaluate.js';
import type { Example } from './examples.js';
import { buildExamples } from './examples.js';
import { grpoTensors, hostRollouts, maskGroups, rolloutTensors } from './grpo-batch.js';
import type { GrpoOptions, GrpoOptionsInput } from './grpo-options.js';
import { GrpoOptionsSchema } from './grpo-options.js';
import type { GroupPrompt } from './grpo-rollout.js';
import { meanOrNull, requireRationaleToSample, sampleGroups, scoreGroups, stepSeed, summariseRewards } from './grpo-rollout.js';
import { maskCounts, microBatchRanges, sliceRollouts } from './grpo-micro-batch.js';
import type { GrpoAux, GrpoTensors, RolloutTensors } from './grpo-step.js';
import { createAdamWUpdate, createGrpoGradientStep, createGrpoUpdate, createReferenceLogProbs, zeroGradients } from './grpo-step.js';
import { MetricsLog } from './metrics-log.js';
import { learningRate } from './schedule.js';

const STATE_FORMAT = 'vla-r1-grpo-state/1';

const GrpoStateSchema = z
  .object({
    format: z.literal(STATE_FORMAT),
    step: z.number().int().nonnegative(),
    /** Optimiser updates made (μ per step, none for a step whose groups were all filtered). */
    updates: z.number().int().nonnegative(),
    cursor: DataCursorSchema,
    options: GrpoOptionsSchema,
    data: z.object({ file: z.string(), sha256: z.string(), records: z.number().int() }).strict(),
    /** The initial checkpoint, which is also the KL reference. */
    init: z.object({ dir: z.string(), sha256: z.string() }).strict(),
    seconds: z.number().nonnegative(),
  })
  .strict();
type GrpoState = z.infer<typeof GrpoStateSchema>;

/** What to run. */
export interface GrpoRun {
  /** The (CoT-)SFT checkpoint to start from and to stay close to (a checkpoint or run folder). Optional when resuming. */
  readonly initCheckpoint?: string;
  /** Folder with `train.json` (and `test.json` for evaluation). */
  readonly dataDir: string;
  readonly outDir: string;
  readonly options?: GrpoOptionsInput;
  /** Continue from `outDir/checkpoint` when it exists. */
  readonly resume?: boolean;
  /** Stop (and save) after this global step, as if interrupted. */
  readonly stopAfter?: number;
  /** Stop (and save) at the next step boundary when aborted. */
  readonly signal?: AbortSignal;
  readonly silent?: boolean;
  /** Where informational lines go (default stderr unless silent). */
  readonly log?: (line: string) => void;
}

/** Seconds spent in each phase. */
export interface PhaseSeconds {
  readonly sampling: number;
  readonly scoring: number;
  readonly reference: number;
  readonly updating: number;
}

/** What a run reports. */
export interface GrpoResult {
  readonly checkpointDir: string;
  readonly steps: number;
  readonly completed: boolean;
  /** Mean reward of every step run in this call, in order. */
  readonly rewards: number[];
  /** Loss of the last update of every step run in this call (NaN for a step without an update). */
  readonly losses: number[];
  readonly seconds: number;
  /** Totals over the steps run in this call. */
  readonly phases: PhaseSeconds;
  /**
   * The mean over this call's steps of the within-group correlation of the reward with the evaluation metric
   * (`RewardSummary.agreementAffordance` / `agreementTrajectory`; null when no step had one).
   */
  readonly agreement: { readonly affordance: number | null; readonly trajectory: number | null };
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

async function scalars(aux: GrpoAux): Promise<Record<keyof GrpoAux, number>> {
  const keys = Object.keys(aux) as (keyof GrpoAux)[];
  const values = await Promise.all(keys.map((k) => aux[k].data()));
  return Object.fromEntries(keys.map((k, i) => [k, (values[i] as Float32Array)[0] as number])) as Record<keyof GrpoAux, number>;
}

function addAux(sum: Record<keyof GrpoAux, number> | undefined, stats: Record<keyof GrpoAux, number>, weight: number): Record<keyof GrpoAux, number> {
  const keys = Object.keys(stats) as (keyof GrpoAux)[];
  return Object.fromEntries(keys.map((k) => [k, (sum?.[k] ?? 0) + stats[k] * weight])) as Record<keyof GrpoAux, number>;
}

function round(x: number | null, digits = 6): number | null {
  return x === null || !Number.isFinite(x) ? null : Number(x.toFixed(digits));
}

/**
 * Run (or resume) GRPO.
 *
 * @example
 * const result = await trainGrpo({ initCheckpoint: 'runs/cot-sft', dataDir: 'data/synth', outDir: 'runs/grpo', options: { steps: 40 } });
 * result.rewards; // mean reward per step
 */
export async function trainGrpo(run: GrpoRun): Promise<GrpoResult> {
  const say = run.log ?? ((line: string) => (run.silent ? undefined : process.stderr.write(`${line}\n`)));
  const trainFile = join(run.dataDir, 'train.json');
  const testFile = join(run.dataDir, 'test.json');
  const checkpointDir = join(run.outDir, 'checkpoint');
  if (!(await fileExists(trainFile))) throw new UserError(`${trainFile}: missing (expected the training split of --data)`);
  const resuming = run.resume === true && (await fileExists(join(checkpointDir, CHECKPOINT_FILES.trainer)));
  if (!resuming && (await fileExists(checkpointDir))) {
    throw new UserError(`${checkpointDir}: a checkpoint already exists; pass --resume to continue it or choose another --out`);
  }
  await mkdir(run.outDir, { recursive: true });
  await ready();

  const trainRecords = await readRecords(trainFile);
  const trainHash = await sha256(trainFile);
  const metricsLog = new MetricsLog(join(run.outDir, 'metrics.jsonl'));
  let options: GrpoOptions;
  let step = 0;
  let updates = 0;
  let cursor: DataCursor;
  let secondsBefore = 0;
  let initDir: string;
  let resumed: Checkpoint | undefined;

  if (resuming) {
    resumed = await loadCheckpoint(checkpointDir, { training: true });
    const parsed = GrpoStateSchema.safeParse(resumed.trainerState);
    if (!parsed.success) throw new UserError(`${join(checkpointDir, CHECKPOINT_FILES.trainer)}: not a GRPO trainer state (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const saved: GrpoState = parsed.data;
    if (saved.data.sha256 !== trainHash) throw new UserError(`${trainFile}: differs from the training data of the run in ${run.outDir} (${saved.data.file}); cannot resume`);
    if (!resumed.optimizer) throw new UserError(`${join(checkpointDir, CHECKPOINT_FILES.optimizer)}: missing; cannot resume`);
    initDir = saved.init.dir;
    const initHash = await sha256(join(initDir, CHECKPOINT_FILES.weights)).catch(() => '');
    if (initHash !== saved.init.sha256) throw new UserError(`${join(initDir, CHECKPOINT_FILES.weights)}: missing or changed since the run started (it is the KL reference); cannot resume`);
    if (run.initCheckpoint !== undefined && resolve(await resolveCheckpointDir(run.initCheckpoint)) !== initDir) {
      throw new UserError(`--init ${run.initCheckpoint}: the run in ${run.outDir} started from ${initDir}`);
    }
    options = saved.options;
    step = saved.step;
    updates = saved.updates;
    cursor = saved.cursor;
    secondsBefore = saved.seconds;
    await metricsLog.truncateAfter(step);
    say(`grpo: resuming ${checkpointDir} at step ${step}/${options.steps} (saved options apply)`);
  } else {
    if (run.initCheckpoint === undefined) throw new UserError('grpo: give the SFT checkpoint to start from (--init)');
    initDir = resolve(await resolveCheckpointDir(run.initCheckpoint));
    options = GrpoOptionsSchema.parse(run.options ?? {});
    cursor = startCursor(options.seed);
    await metricsLog.truncateAfter(0);
  }
  const init = await loadCheckpoint(initDir);
  const initHash = await sha256(join(initDir, CHECKPOINT_FILES.weights));
  const ckptConfig: CheckpointConfig = init.config;
  const config = ckptConfig.model;
  const grammar = ckptConfig.grammar;
  const tokenizer: Tokenizer = init.tokenizer;
  const B = options.promptsPerStep;
  const G = options.groupSize;
  const N = B * G;
  const L = config.targetLength;
  requireRationaleToSample(options.answerDecoding, grammar, initDir);
  if (trainRecords.length < B) throw new UserError(`${trainFile}: ${trainRecords.length} records, fewer than --prompts-per-step ${B}`);

  const progressLoad = createProgress({ label: 'grpo: images', total: trainRecords.length, unit: 'images', silent: run.silent === true });
  let loaded = 0;
  const examples = await buildExamples(trainRecords, tokenizer, config.imageSize, grammar.thinking, (done) => {
    progressLoad.tick(done - loaded);
    loaded = done;
  });
  progressLoad.done();
  let testExamples: Example[] = [];
  if (options.evalSamples > 0 && (await fileExists(testFile))) {
    testExamples = await buildExamples((await readRecords(testFile)).slice(0, options.evalSamples), tokenizer, config.imageSize, grammar.thinking);
  }
  say(
    `grpo: ${examples.length} prompts, ${countParams(config)} parameters, ${B} prompts × ${G} answers per step, ` +
      `sequence ${sequenceLength(config)} (answer ≤ ${L} tokens), from ${initDir}`,
  );

  const referenceParams: ModelParams<JaxArray> = paramsToDevice(init.params);
  let params: ModelParams<JaxArray>;
  let state: AdamWState;
  if (resumed?.optimizer) {
    params = paramsToDevice(resumed.params);
    state = { m: paramsToDevice(resumed.optimizer.m), v: paramsToDevice(resumed.optimizer.v) };
  } else {
    params = paramsToDevice(init.params);
    state = zeroMoments(params);
  }
  const model: VlaModel = { config, tokenizer, grammar, params };
  const generator = new Generator(model);
  const T = sequenceLength(config);
  const structure = np.array(structureMask(config)).reshape([T, T]);
  const masks = maskTable(tokenizer);
  const classMasks = np.array(masks).reshape([masks.length / config.vocabSize, config.vocabSize]);
  const adam: AdamWOptions = { beta1: options.beta1, beta2: options.beta2, eps: 1e-8, weightDecay: options.weightDecay, maxGradNorm: options.maxGradNorm };
  const temperatures = options.reasoningTemperature === undefined ? options.temperature : classTemperatures(options.temperature, options.reasoningTemperature);
  const lossOptions = {
    temperature: temperatures,
    clip: { low: options.clipLow, high: options.clipHigh, dual: options.dualClip },
    klCoef: options.klCoef,
    aggregation: options.lossAggregation,
  };
  const update = createGrpoUpdate(config, lossOptions, adam);
  const gradientStep = createGrpoGradientStep(config, lossOptions);
  const adamUpdate = createAdamWUpdate(adam);
  const referencePass = createReferenceLogProbs(config, temperatures);
  const schedule = { peak: options.learningRate, warmupSteps: options.warmupSteps, totalSteps: options.steps, minRatio: options.minLrRatio };
  const toPrompt = (ex: Example): GroupPrompt => ({
    patches: patchify(ex.rgb, config),
    prompt: ex.prompt,
    kind: ex.kind,
    answer: ex.answer,
  });

  const started = performance.now();
  const save = async (): Promise<void> => {
    const [hostParams, m, v] = await Promise.all([paramsToHost(params), paramsToHost(state.m), paramsToHost(state.v)]);
    const trainerState: GrpoState = {
      format: STATE_FORMAT,
      step,
      updates,
      cursor,
      options,
      data: { file: trainFile, sha256: trainHash, records: trainRecords.length },
      init: { dir: initDir, sha256: initHash },
      seconds: secondsBefore + (performance.now() - started) / 1000,
    };
    const initStage = typeof ckptConfig.info.stage === 'string' ? ckptConfig.info.stage : 'sft';
    await saveCheckpoint(checkpointDir, {
      config: { ...ckptConfig, info: { stage: `${initStage}+grpo`, init: initDir, data: trainFile, records: trainRecords.length, steps: step, completed: step >= options.steps } },
      tokenizer,
      params: hostParams,
      optimizer: { m, v },
      trainerState,
    });
  };

  const evaluate = async (): Promise<EvalMetrics | undefined> => {
    if (testExamples.length === 0) return undefined;
    const result = await evaluateExamples(generator, config, testExamples);
    await metricsLog.write({ step, eval: result.metrics, samples: testExamples.length });
    const a = result.metrics.affordance;
    const t = result.metrics.trajectory;
    say(
      `grpo: step ${step} eval (${testExamples.length} test samples): affordance IoU ${a.iou?.toFixed(1) ?? '-'} ` +
        `(fail ${a.parse_failure_rate?.toFixed(2) ?? '-'}), trajectory Avg ${t.avg?.toFixed(1) ?? '-'} (fail ${t.parse_failure_rate?.toFixed(2) ?? '-'})`,
    );
    return result.metrics;
  };

  const progress = createProgress({ label: 'grpo', total: options.steps - step, unit: 'steps', silent: run.silent === true });
  const rewards: number[] = [];
  const agreements = { affordance: [] as number[], trajectory: [] as number[] };
  const losses: number[] = [];
  const phases = { sampling: 0, scoring: 0, reference: 0, updating: 0 };
  let lastEval: EvalMetrics | undefined;
  const stopAt = Math.min(options.steps, run.stopAfter ?? Infinity);
  try {
    if (step === 0 && options.evalEvery > 0) lastEval = await evaluate();
    while (step < stopAt && run.signal?.aborted !== true) {
      const t = step + 1;
      const next = nextBatch(examples.length, B, cursor);
      const prompts = next.indices.map((i) => toPrompt(examples[i] as Example));

      const t0 = performance.now();
      const generations = await sampleGroups(generator, prompts, G, {
        temperature: options.temperature,
        topP: options.topP,
        seed: stepSeed(options.seed, t),
        ...(options.reasoningTemperature === undefined ? {} : { reasoningTemperature: options.reasoningTemperature }),
        answerDecoding: options.answerDecoding,
        batchSize: options.microBatch, // the memory a step's sampling takes is then no more than a gradient pass's
      });
      const t1 = performance.now();
      const scored = scoreGroups(prompts, generations, G, { lambdaAngle: options.lambdaAngle, lambdaLength: options.lambdaLength });
      const advantage = groupAdvantages(
        scored.map((s) => s.reward.score),
        { groupSize: G, scaleByStd: options.stdScaling },
      );
      const summary = summariseRewards(scored, G);
      const t2 = performance.now();

      const host = hostRollouts(scored, config, grammar, tokenizer, options.answerDecoding === 'greedy' ? 'reasoning' : 'all');
      const mask = options.filterZeroSpread ? maskGroups(host.mask, L, G, advantage.zeroSpread) : host.mask;
      const trains = mask.some((w) => w > 0);
      const lr = learningRate(schedule, t);
      let aux: Record<keyof GrpoAux, number> | undefined;
      let loss = NaN;
      let gradNorm = NaN;
      let t3 = t2;
      if (trains) {
        // A step of more sequences than one gradient pass holds is split into micro-batches over the step's
        // counts, their gradients summed into one update; a step that fits takes the fused one-pass update.
        const ranges = microBatchRanges(N, options.microBatch);
        const counts = maskCounts(mask, L);
        const rollouts = ranges.map(([a, b]) => rolloutTensors(sliceRollouts(host, a, b), config, structure.ref, classMasks.ref));
        const refs: JaxArray[] = [];
        for (const [k, [a, b]] of ranges.entries()) {
          const rollout = rollouts[k] as RolloutTensors;
          refs.push(options.klCoef > 0 ? await blockUntilReady(referencePass(tree.ref(referenceParams), tree.ref(rollout))) : np.zeros([b - a, L]));
        }
        // Without a KL term there is no reference pass: t3 stays t2, and uploading the rollout counts as updating.
        if (options.klCoef > 0) t3 = performance.now();
        for (let i = 0; i < options.mu; i++) {
          const last = i === options.mu - 1;
          const batchOf = (k: number): GrpoTensors => {
            const [a, b] = ranges[k] as [number, number];
            const rollout = rollouts[k] as RolloutTensors;
            const ref = refs[k] as JaxArray;
            const rows = (x: Float32Array): Float32Array => x.subarray(a * L, b * L);
            return grpoTensors(last ? rollout : tree.ref(rollout), config, rows(mask), advantage.advantages.slice(a, b), rows(host.oldLogProbs), last ? ref : ref.ref);
          };
          updates += 1;
          let updated: { params: ModelParams<JaxArray>; state: AdamWState; gradNorm: JaxArray };
          if (ranges.length === 1) {
            const result = update(params, state, batchOf(0), stepScalars(lr, updates, adam));
            loss = ((await result.loss.data()) as Float32Array)[0] as number;
            aux = addAux(aux, await scalars(result.aux), 1 / options.mu); // diagnostics averaged over the μ updates, as verl does
            updated = result;
          } else {
            let grads = zeroGradients(params);
            loss = 0;
            for (let k = 0; k < ranges.length; k++) {
              const part = gradientStep(tree.ref(params), grads, batchOf(k), { tokens: np.array(counts.tokens), sequences: np.array(counts.sequences) });
              grads = part.grads;
              loss += ((await part.loss.data()) as Float32Array)[0] as number;
              aux = addAux(aux, await scalars(part.aux), 1 / options.mu); // the parts sum to the step's diagnostics
            }
            updated = adamUpdate(params, state, grads, stepScalars(lr, updates, adam));
          }
          params = updated.params;
          state = updated.state;
          model.params = params;
          gradNorm = ((await updated.gradNorm.data()) as Float32Array)[0] as number;
          if (!Number.isFinite(loss)) throw new Error(`grpo: the loss became ${loss} at step ${t}`);
        }
        // The weights are computed asynchronously: wait for them so the update's time is not billed to sampling.
        await blockUntilReady([params, state]);
      }
      const t4 = performance.now();
      step = t;
      cursor = next.cursor;
      const time = { sampling: (t1 - t0) / 1000, scoring: (t2 - t1) / 1000, reference: (t3 - t2) / 1000, updating: (t4 - t3) / 1000 };
      const stepSeconds = (t4 - t0) / 1000;
      phases.sampling += time.sampling;
      phases.scoring += time.scoring;
      phases.reference += time.reference;
      phases.updating += time.updating;
      rewards.push(summary.mean);
      if (summary.agreementAffordance !== null) agreements.affordance.push(summary.agreementAffordance);
      if (summary.agreementTrajectory !== null) agreements.trajectory.push(summary.agreementTrajectory);
      losses.push(loss);
      const zeroShare = advantage.zeroSpread.filter(Boolean).length / B;
      await metricsLog.write({
        step,
        reward: round(summary.mean),
        rewardStd: round(summary.std),
        format: round(summary.format),
        task: round(summary.task),
        rewardAffordance: round(summary.affordance),
        rewardTrajectory: round(summary.trajectory),
        iou: round(summary.iou),
        groupStd: round(advantage.stds.reduce((a, b) => a + b, 0) / B),
        zeroSpread: round(zeroShare),
        length: round(summary.length, 2),
        finished: round(summary.finished),
        agreementAffordance: round(summary.agreementAffordance, 4),
        agreementTrajectory: round(summary.agreementTrajectory, 4),
        loss: round(loss),
        pgLoss: round(aux?.pgLoss ?? null),
        kl: options.klCoef > 0 ? round(aux?.kl ?? null, 8) : null,
        clipFraction: round(aux?.clipFraction ?? null),
        entropy: round(aux?.entropy ?? null),
        approxKl: round(aux?.approxKl ?? null, 8),
        gradNorm: round(gradNorm),
        lr,
        epoch: cursor.epoch,
        time: { sampling: round(time.sampling, 3), scoring: round(time.scoring, 3), reference: round(time.reference, 3), updating: round(time.updating, 3), step: round(stepSeconds, 3) },
        samplingShare: round(time.sampling / stepSeconds, 3),
        seconds: round(secondsBefore + (performance.now() - started) / 1000, 3),
      });
      progress.tick(
        1,
        `reward ${summary.mean.toFixed(3)} (format ${summary.format.toFixed(2)}, task ${summary.task.toFixed(3)}) ` +
          `kl ${aux && options.klCoef > 0 ? aux.kl.toExponential(1) : '-'} clip ${aux ? aux.clipFraction.toFixed(3) : '-'} ` +
          `H ${aux ? aux.entropy.toFixed(2) : '-'} len ${summary.length.toFixed(0)} zero ${zeroShare.toFixed(2)} | ` +
          `sample ${time.sampling.toFixed(1)}s score ${time.scoring.toFixed(2)}s ref ${time.reference.toFixed(1)}s update ${time.updating.toFixed(1)}s`,
      );
      if (options.evalEvery > 0 && step % options.evalEvery === 0 && step < options.steps) lastEval = await evaluate();
      if (options.saveEvery > 0 && step % options.saveEvery === 0 && step < stopAt) await save();
    }
    if (step >= options.steps) lastEval = await evaluate();
    await save();
  } finally {
    progress.done();
    generator.dispose();
    update.dispose();
    gradientStep.dispose();
    adamUpdate.dispose();
    referencePass.dispose();
    tree.dispose([params, state, referenceParams, structure, classMasks]);
  }
  return {
    checkpointDir,
    steps: step,
    completed: step >= options.steps,
    rewards,
    losses,
    seconds: (performance.now() - started) / 1000,
    phases,
    agreement: { affordance: meanOrNull(agreements.affordance), trajectory: meanOrNull(agreements.trajectory) },
    ...(lastEval ? { evaluation: lastEval } : {}),
  };
}
