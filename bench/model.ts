/**
 * Model speed: training tokens/s and achieved GFLOP/s against the engine's matmul ceiling measured in the
 * same run (square matmuls and the model's own matmul shapes), and generation tokens/s at batch 1 and 64.
 * When `python3` can import torch (Debian: `apt-get install python3-torch libopenblas0-openmp`), the same
 * training step runs in PyTorch on the CPU in the same run (`bench/model_torch.py`) and our ratio is printed.
 *
 * Threads: `VLA_R1_THREADS` (default: the machine's cores, at most 4), read when the engine loads.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const TORCH_SCRIPT = fileURLToPath(new URL('../../bench/model_torch.py', import.meta.url));

/** What `bench/model_torch.py` prints. */
interface TorchStep {
  step_ms: number;
  first_loss: number;
  matmul_512_gflops: number;
  torch: string;
  threads: number;
  blas: string;
}

/**
 * The PyTorch anchor: the same training step in `python3 bench/model_torch.py`, or why it did not run. The child
 * runs without `OPENBLAS_CORETYPE`: a value forced by the environment (this machine's says Haswell) halves
 * OpenBLAS's throughput on a newer CPU and would make the anchor look slower than PyTorch is.
 */
function torchStep(config: Record<string, number>): TorchStep | string {
  // Debian's python3-torch is for the system interpreter, which a `python3` earlier on PATH (pyenv) may hide.
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
  if (python === undefined) return 'not installed (apt-get install python3-torch libopenblas0-openmp)';
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  const run = spawnSync(python, [TORCH_SCRIPT, JSON.stringify(config)], { encoding: 'utf8', env });
  if (run.status !== 0) return `failed: ${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
  return JSON.parse(run.stdout) as TorchStep;
}

interface Row {
  readonly what: string;
  readonly value: string;
  readonly note?: string;
}

function table(rows: readonly Row[]): void {
  const w = Math.max(...rows.map((r) => r.what.length));
  const v = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) console.log(`${r.what.padEnd(w)}  ${r.value.padStart(v)}${r.note ? `  ${r.note}` : ''}`);
}

/** Sorted timings (ms) of `runs` calls after `warmup` calls. */
async function timings(fn: () => Promise<void>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** Median of timings (ms) of `runs` calls after `warmup` calls. */
async function time(fn: () => Promise<void>, warmup: number, runs: number): Promise<number> {
  const times = await timings(fn, warmup, runs);
  return times[Math.floor(times.length / 2)] as number;
}

export async function run(): Promise<void> {
  process.env.VLA_R1_THREADS ??= String(Math.max(1, Math.min(4, availableParallelism())));
  const { blockUntilReady, jit, np, ready, tree, valueAndGrad, stopWorkerThreads, requestedThreads } = await import('../src/model/jax.js');
  const { patchCount, patchDim, sequenceLength } = await import('../src/model/config.js');
  const { initParams } = await import('../src/model/params.js');
  const { paramsToDevice } = await import('../src/model/model.js');
  const { Rng } = await import('../src/model/rng.js');
  const { sftLoss } = await import('../src/model/loss.js');
  const { structureMask } = await import('../src/model/sequence-layout.js');
  const { forwardFlops, trainStepFlops, decodeStepFlops } = await import('../src/model/flops.js');
  const { createTrainStep, stepScalars, zeroMoments, DEFAULT_ADAMW } = await import('../src/train/adamw.js');
  const { Generator } = await import('../src/model/generate.js');
  const { Tokenizer } = await import('../src/model/tokenizer.js');
  await ready();
  const threads = requestedThreads();

  // The default model shape (`train sft` defaults) on sequences like the default synthetic data's CoT ones:
  // a ~1100-token vocabulary, prompt 24, target 64.
  // The first measurements leave the pointer head out: the bench times the transformer itself (as the PyTorch
  // anchor runs it); the default model with the pointer head and the word prior is timed after them.
  const { SftOptionsSchema } = await import('../src/train/sft-options.js');
  const { sftModelConfig } = await import('../src/train/sft.js');
  const o = SftOptionsSchema.parse({ pointerHead: false });
  const pieces = Array.from({ length: 1100 - 6 - 2 * o.coordinateBins }, (_, i) => ` w${i}`);
  const tokenizer = new Tokenizer({ format: 'vla-r1-tokenizer/1', coordinateBins: o.coordinateBins, pieces });
  const c = sftModelConfig(tokenizer, o, 24, 64);
  const B = o.batchSize;
  const T = sequenceLength(c);
  const rng = new Rng(0);

  // 1. Matmul ceiling: square 512 and the model's largest shapes ([B·T, d] · [d, 4d] and back).
  const matmul = jit((a: import('../src/model/jax.js').JaxArray, b: import('../src/model/jax.js').JaxArray) => np.matmul(a, b));
  const mm = async (m: number, k: number, n: number): Promise<number> => {
    const a = np.array(Float32Array.from({ length: m * k }, () => rng.normal())).reshape([m, k]);
    const b = np.array(Float32Array.from({ length: k * n }, () => rng.normal())).reshape([k, n]);
    // The ceiling is the best the engine does: the fastest of 15 calls (a median moves by a third between runs).
    const [ms = Number.NaN] = await timings(async () => {
      await matmul(a.ref, b.ref).data();
    }, 3, 15);
    a.dispose();
    b.dispose();
    return (2 * m * k * n) / (ms / 1000) / 1e9;
  };
  const square = await mm(512, 512, 512);
  const up = await mm(B * T, c.dModel, c.mlpRatio * c.dModel);
  const down = await mm(B * T, c.mlpRatio * c.dModel, c.dModel);
  const ceiling = Math.max(square, up, down);

  // 2. Training step (forward, backward, AdamW) on a random batch: the transformer alone (what the PyTorch anchor
  // runs), then the default model with its pointer head and word prior.
  type Config = typeof c;
  type Params = ReturnType<typeof paramsToDevice>;
  const measureTraining = async (
    mc: Config,
  ): Promise<{ stepMs: number; forwardMs: number; gradientMs: number; compileMs: number; params: Params }> => {
    let params = paramsToDevice(initParams(mc, rng));
    let state = zeroMoments(params);
    const structure = np.array(structureMask(mc)).reshape([T, T]);
    // The one loss the three timings share: alone, with its gradient, and inside the full step.
    const loss = (p: Params, b: import('../src/model/loss.js').SequenceBatch & { s: import('../src/model/jax.js').JaxArray }): import('../src/model/jax.js').JaxArray => {
      const { s, ...batch } = b;
      return sftLoss(p, batch, s, mc);
    };
    const step = createTrainStep(loss, DEFAULT_ADAMW);
    const S = mc.promptLength + mc.targetLength;
    // The host batch is drawn once (drawing 1.8 M normals in JavaScript would be timed with the step); each step
    // uploads it, as training uploads its batches.
    const hostPatches = Float32Array.from({ length: B * patchCount(mc) * patchDim(mc) }, () => rng.normal());
    const hostTokens = Int32Array.from({ length: B * S }, () => 6 + rng.int(mc.vocabSize - 6));
    const hostTargets = Int32Array.from({ length: B * mc.targetLength }, () => 6 + rng.int(mc.vocabSize - 6));
    const batch = () => ({
      patches: np.array(hostPatches).reshape([B, patchCount(mc), patchDim(mc)]),
      tokens: np.array(hostTokens, { dtype: np.int32 }).reshape([B, S]),
      keyValid: np.ones([B, T]),
      targets: np.array(hostTargets, { dtype: np.int32 }).reshape([B, mc.targetLength]),
      weights: np.ones([B, mc.targetLength]),
      s: structure.ref,
    });
    type BenchBatch = ReturnType<typeof batch>;
    // Where the step's time goes: the loss alone, and the loss with its gradient (no optimizer).
    const forward = jit(loss);
    const forwardBackward = jit((p: Params, b: BenchBatch) => {
      const [value, grads] = valueAndGrad((q: Params) => loss(q, b))(p);
      return { value, grads };
    });
    const forwardOnce = async (): Promise<void> => {
      await forward(tree.ref(params), batch()).data();
    };
    await forwardOnce();
    const forwardMs = await time(forwardOnce, 1, 5);
    const gradientOnce = async (): Promise<void> => {
      const r = forwardBackward(tree.ref(params), batch());
      await r.value.data();
      await blockUntilReady(r.grads);
      tree.dispose(r.grads);
    };
    await gradientOnce();
    const gradientMs = await time(gradientOnce, 1, 5);
    forward.dispose();
    forwardBackward.dispose();
    let t = 0;
    const compileStart = performance.now();
    const trainOnce = async (): Promise<void> => {
      t += 1;
      const r = step(params, state, batch(), stepScalars(1e-3, t, DEFAULT_ADAMW));
      params = r.params;
      state = r.state;
      await r.loss.data();
      r.gradNorm.dispose();
    };
    await trainOnce();
    const compileMs = performance.now() - compileStart;
    const stepMs = await time(trainOnce, 1, 5);
    step.dispose();
    structure.dispose();
    tree.dispose(state);
    return { stepMs, forwardMs, gradientMs, compileMs, params };
  };
  const pointerConfig = sftModelConfig(tokenizer, SftOptionsSchema.parse({}), 24, 64);
  const withPointer = await measureTraining(pointerConfig);
  tree.dispose(withPointer.params);
  const { stepMs, forwardMs, gradientMs, compileMs, params } = await measureTraining(c);
  const trainGflops = trainStepFlops(c, B) / (stepMs / 1000) / 1e9;
  const pointerGflops = trainStepFlops(pointerConfig, B) / (withPointer.stepMs / 1000) / 1e9;

  // 3. Generation (greedy, unconstrained so every row runs the full length).
  const generator = new Generator({ config: c, tokenizer, grammar: { maxPoints: 8, thinking: true }, params });
  const input = () => ({ patches: Float32Array.from({ length: patchCount(c) * patchDim(c) }, () => rng.normal()), prompt: [3, 10, 11, 12], kind: 'affordance' as const });
  const gen = async (n: number, tokens: number, execution: 'sync' | 'async'): Promise<{ tps: number; gflops: number }> => {
    const inputs = Array.from({ length: n }, input);
    await generator.generate(inputs, { maxTokens: 4, constrained: false, batchSize: n, execution });
    const ms = await time(async () => {
      await generator.generate(inputs, { maxTokens: tokens, constrained: false, batchSize: n, execution });
    }, 0, 3);
    const flops = Array.from({ length: tokens }, (_, i) => decodeStepFlops(c, n, i)).reduce((a, b) => a + b, 0);
    return { tps: (n * tokens) / (ms / 1000), gflops: flops / (ms / 1000) / 1e9 };
  };
  const g1 = await gen(1, 64, 'sync');
  const g64 = await gen(64, 64, 'sync');
  const g64async = threads > 1 ? await gen(64, 64, 'async') : undefined;
  generator.dispose();
  tree.dispose(params);
  matmul.dispose();

  const torch = torchStep({
    batch: B,
    patches: patchCount(c),
    patch_dim: patchDim(c),
    patch_hidden: c.patchHidden ?? 0,
    d_model: c.dModel,
    layers: c.nLayers,
    heads: c.nHeads,
    mlp_ratio: c.mlpRatio,
    vocab: c.vocabSize,
    prompt: c.promptLength,
    target: c.targetLength,
    sequence: T,
    threads,
  });

  console.log(`model: d ${c.dModel}, ${c.nLayers} layers, sequence ${T}, batch ${B}; engine jax-js wasm, ${threads} thread(s)`);
  table([
    { what: 'matmul 512³', value: `${square.toFixed(1)} GFLOP/s` },
    { what: `matmul [${B * T}×${c.dModel}]·[${c.dModel}×${c.mlpRatio * c.dModel}]`, value: `${up.toFixed(1)} GFLOP/s` },
    { what: `matmul [${B * T}×${c.mlpRatio * c.dModel}]·[${c.mlpRatio * c.dModel}×${c.dModel}]`, value: `${down.toFixed(1)} GFLOP/s` },
    { what: 'training step (fwd+bwd+AdamW)', value: `${stepMs.toFixed(0)} ms`, note: `first call incl. compile ${compileMs.toFixed(0)} ms` },
    { what: '  of which the loss (forward)', value: `${forwardMs.toFixed(0)} ms`, note: `${((100 * forwardMs) / stepMs).toFixed(0)}% of the step; ${(forwardFlops(c, B) / (forwardMs / 1000) / 1e9).toFixed(1)} GFLOP/s` },
    { what: '  the backward pass', value: `${(gradientMs - forwardMs).toFixed(0)} ms`, note: `${((100 * (gradientMs - forwardMs)) / stepMs).toFixed(0)}% (loss and gradient ${gradientMs.toFixed(0)} ms)` },
    { what: '  the AdamW update', value: `${(stepMs - gradientMs).toFixed(0)} ms`, note: `${((100 * (stepMs - gradientMs)) / stepMs).toFixed(0)}%` },
    { what: 'training tokens/s', value: `${Math.round((B * T) / (stepMs / 1000))}` },
    {
      what: 'with the pointer head and word prior',
      value: `${withPointer.stepMs.toFixed(0)} ms`,
      note: `the default model: ${pointerGflops.toFixed(1)} GFLOP/s, ${((100 * pointerGflops) / ceiling).toFixed(0)}% of the matmul ceiling; loss ${withPointer.forwardMs.toFixed(0)} ms, with gradient ${withPointer.gradientMs.toFixed(0)} ms`,
    },
    { what: 'training achieved', value: `${trainGflops.toFixed(1)} GFLOP/s`, note: `${((100 * trainGflops) / ceiling).toFixed(0)}% of the matmul ceiling (${ceiling.toFixed(1)}; target ≥30%)` },
    { what: 'generation batch 1', value: `${g1.tps.toFixed(0)} tokens/s`, note: `${g1.gflops.toFixed(2)} GFLOP/s` },
    { what: 'generation batch 64', value: `${g64.tps.toFixed(0)} tokens/s`, note: `${g64.gflops.toFixed(2)} GFLOP/s, ${(g64.tps / g1.tps).toFixed(1)}× batch 1` },
    ...(g64async
      ? [{ what: 'generation batch 64, worker threads', value: `${g64async.tps.toFixed(0)} tokens/s`, note: `${(g64async.tps / g64.tps).toFixed(2)}× the calling thread` }]
      : []),
    ...(typeof torch === 'string'
      ? [{ what: 'PyTorch training step', value: '-', note: torch }]
      : [
          {
            what: 'PyTorch training step',
            value: `${torch.step_ms.toFixed(0)} ms`,
            note: `torch ${torch.torch}, ${torch.threads} thread(s), BLAS ${torch.blas}; matmul 512³ ${torch.matmul_512_gflops.toFixed(1)} GFLOP/s`,
          },
          {
            what: 'ours / PyTorch',
            value: `${(torch.step_ms / stepMs).toFixed(2)}×`,
            note: `training tokens/s (above 1 = we are faster); matmul 512³ ${(square / torch.matmul_512_gflops).toFixed(2)}×`,
          },
        ]),
  ]);
  await stopWorkerThreads();
}
