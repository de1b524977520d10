/**
 * The policy service's dynamic batching: throughput of `vla-r1 serve policy` (in-process, a small random
 * checkpoint) under concurrent OpenAI-compatible clients, batched (`--max-batch 32`) against the baseline of
 * one answer per `generate` call (`--max-batch 1`), and the local policy called directly in batches of 32
 * (the ceiling). Same requests, same run.
 *
 * @module
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKPOINT_FORMAT, saveCheckpoint } from '../src/model/checkpoint.js';
import type { ModelConfig } from '../src/model/config.js';
import { initParams } from '../src/model/params.js';
import { Rng } from '../src/model/rng.js';
import { Tokenizer } from '../src/model/tokenizer.js';
import { createLocalPolicy } from '../src/policy/local.js';
import { createOpenAiPolicy } from '../src/policy/openai.js';
import type { Policy, PolicyRequest } from '../src/policy/types.js';
import { startPolicyServer } from '../src/serve/policy-server.js';

/** The package root (works from bench/ and from dist/bench/). */
function packageRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const IMAGE = join(packageRoot(), 'test/fixtures/official-samples/affordance-640x480.png');
const REQUESTS = 128;
const CONCURRENCY = 32;
const INSTRUCTIONS = ['pick up the red mug by its handle.', 'reach for the cup.', 'grasp the blue cube.', 'open the drawer.'];

async function writeCheckpoint(dir: string): Promise<void> {
  const tokenizer = Tokenizer.train(INSTRUCTIONS, { coordinateBins: 64 });
  const config: ModelConfig = {
    imageSize: 32,
    patchSize: 8,
    dModel: 64,
    nLayers: 2,
    nHeads: 4,
    mlpRatio: 2,
    vocabSize: tokenizer.vocabSize,
    promptLength: 16,
    targetLength: 24,
    coordinateBins: tokenizer.coordinateBins,
  };
  await saveCheckpoint(dir, {
    config: { format: CHECKPOINT_FORMAT, model: config, grammar: { maxPoints: 5, thinking: false }, info: {} },
    tokenizer,
    params: initParams(config, new Rng(11)),
  });
}

/** Requests per second of `REQUESTS` single-record calls, `CONCURRENCY` at a time. */
async function throughput(policy: Policy, requests: readonly PolicyRequest[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++] as PolicyRequest;
      await policy.generate([request], { temperature: 0 });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return requests.length / ((performance.now() - started) / 1000);
}

/** Run the benchmark and print its table. */
export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'vla-bench-policy-'));
  try {
    const checkpoint = join(root, 'ckpt');
    await writeCheckpoint(checkpoint);
    const image = { bytes: new Uint8Array(readFileSync(IMAGE)), mimeType: 'image/png' as const };
    const requests: PolicyRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({
      image,
      instruction: INSTRUCTIONS[i % INSTRUCTIONS.length] as string,
      kind: i % 2 === 0 ? 'affordance' : 'trajectory',
    }));
    const local = await createLocalPolicy(checkpoint, { batchSize: 32 });
    await local.generate(requests.slice(0, 32), { temperature: 0 }); // compile the batch shapes once
    const rows: [string, number, number][] = [];
    for (const maxBatch of [1, 32]) {
      const batches: number[] = [];
      const service = await startPolicyServer({ policy: local, port: 0, maxBatch, onBatch: (n) => batches.push(n) });
      const client = await createOpenAiPolicy({ baseUrl: service.url });
      await throughput(client, requests.slice(0, CONCURRENCY)); // warm-up
      batches.length = 0;
      const rate = await throughput(client, requests);
      rows.push([`served, --max-batch ${maxBatch}`, rate, REQUESTS / batches.length]);
      await service.close();
    }
    const started = performance.now();
    for (let i = 0; i < REQUESTS; i += 32) await local.generate(requests.slice(i, i + 32), { temperature: 0 });
    rows.push(['local generate, batches of 32 (ceiling)', REQUESTS / ((performance.now() - started) / 1000), 32]);
    await local.close();

    const baseline = rows[0]?.[1] ?? 1;
    console.log(`policy service: ${REQUESTS} requests, ${CONCURRENCY} concurrent clients, 32×32 image model (random weights)`);
    console.log(`${'setting'.padEnd(42)} ${'req/s'.padStart(8)} ${'mean batch'.padStart(11)} ${'vs max-batch 1'.padStart(15)}`);
    for (const [name, rate, meanBatch] of rows) {
      console.log(`${name.padEnd(42)} ${rate.toFixed(1).padStart(8)} ${meanBatch.toFixed(1).padStart(11)} ${`${(rate / baseline).toFixed(2)}×`.padStart(15)}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
