/**
 * Evaluation client benchmark: the cost our OpenAI-compatible client adds per request, measured against a
 * test server on 127.0.0.1 that answers instantly, with 16 requests in flight, every mode in the same process
 * and run, the same image (the official 640×480 sample, 426 kB PNG → 568 kB data URI) and the same server work:
 *
 * 1. baseline: raw `fetch` of a prebuilt chat-completions body (no encoding, no validation): the usual way;
 *    1b. raw `node:http` with a prebuilt byte body (the transport floor);
 *    1c. raw `fetch`, the image base64-encoded into a string template per request (what any client must do);
 * 2. the official `openai` SDK (v6, a dev dependency; skipped when absent), building the same request per call;
 * 3. our `createOpenAiPolicy` (base64 data URI per request, zod-validated reply, retry wrapper);
 * 4. `runEvaluation` end to end (image file read, request, scoring, one JSONL line per record, metrics, no report).
 *
 * The server runs in a child process, so this process's CPU time is the client's own. Printed per mode (medians
 * of interleaved rounds): requests/s, wall ms per request, client CPU ms per request, and its difference to and
 * ratio over the baseline.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestServer } from '../test/helpers/openai-test-server.js';
import { runEvaluation, type EvalRecord } from '../src/eval/runner.js';
import { createOpenAiPolicy, chatRequestBody } from '../src/policy/openai.js';
import type { PolicyRequest } from '../src/policy/types.js';
import { formatAnswer } from '../src/protocol/answer.js';
import { buildPrompt } from '../src/protocol/prompts.js';

/** The package root (works from bench/ and from dist/bench/). */
function packageRoot(): string {
  let dir = fileURLToPath(new URL('.', import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const ROOT = packageRoot();
const IMAGE = join(ROOT, 'test/fixtures/official-samples/affordance-640x480.png');
const CONCURRENCY = 16;
const REQUESTS = 400;
const ROUNDS = 3;
const WARMUP = 64;
const INSTRUCTION = 'pick up the red mug by its handle.';
const ANSWER = formatAnswer('The handle faces right.', { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.2, height: 0.2 } });
const SERVER_ENV = 'VLA_R1_BENCH_EVAL_SERVER';

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

interface Mode {
  readonly name: string;
  readonly run: (n: number) => Promise<void>;
  readonly samples: Sample[];
}

async function pool(n: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

async function sample(mode: Mode, n: number): Promise<void> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await mode.run(n);
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  mode.samples.push({ wallMs: wallMs / n, cpuMs: (used.user + used.system) / 1000 / n });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The test server in a child process, so this process's CPU time is the client's alone. */
async function startServerProcess(): Promise<{ url: string; stop: () => void }> {
  const self = fileURLToPath(import.meta.url);
  const args = self.endsWith('.ts') ? ['--import', 'tsx', self] : [self];
  const child = spawn(process.execPath, args, { env: { ...process.env, [SERVER_ENV]: '1' }, stdio: ['pipe', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { url, stop: () => child.stdin.end() };
}

/** Run the benchmark and print the table. */
export async function run(): Promise<void> {
  const bytes = new Uint8Array(readFileSync(IMAGE));
  const request: PolicyRequest = { image: { bytes, mimeType: 'image/png' }, instruction: INSTRUCTION, kind: 'affordance' };
  const server = await startServerProcess();
  const base = `${server.url}/v1`;
  const dir = mkdtempSync(join(tmpdir(), 'vla-r1-bench-eval-'));
  const modes: Mode[] = [];
  try {
    const prebuilt = JSON.stringify(chatRequestBody('test-vlm', request, { temperature: 0, maxTokens: 256 }));
    modes.push({
      name: 'raw fetch, prebuilt body (baseline)',
      samples: [],
      run: (n) =>
        pool(n, async () => {
          const response = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: prebuilt });
          const reply = (await response.json()) as { choices: { message: { content: string } }[] };
          if (reply.choices[0]?.message.content !== ANSWER) throw new Error('unexpected answer');
        }),
    });

    const prebuiltBytes = Buffer.from(prebuilt, 'utf8');
    const agent = new Agent({ keepAlive: true });
    modes.push({
      name: 'raw node:http, prebuilt bytes (floor)',
      samples: [],
      run: (n) =>
        pool(
          n,
          () =>
            new Promise<void>((resolve, reject) => {
              const req = httpRequest(`${base}/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': String(prebuiltBytes.length) } }, (res) => {
                const chunks: Buffer[] = [];
                res.on('data', (c: Buffer) => chunks.push(c));
                res.on('end', () => {
                  const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { choices: { message: { content: string } }[] };
                  if (reply.choices[0]?.message.content !== ANSWER) reject(new Error('unexpected answer'));
                  else resolve();
                });
              });
              req.on('error', reject);
              req.end(prebuiltBytes);
            }),
        ),
    });

    modes.push({
      name: 'raw fetch, base64 + template per request',
      samples: [],
      run: (n) =>
        pool(n, async () => {
          const url = `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
          const body = `{"model":"test-vlm","messages":[{"role":"user","content":[{"type":"text","text":${JSON.stringify(buildPrompt(INSTRUCTION, 'affordance'))}},{"type":"image_url","image_url":{"url":"${url}"}}]}],"max_tokens":256}`;
          const response = await fetch(`${base}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          const reply = (await response.json()) as { choices: { message: { content: string } }[] };
          if (reply.choices[0]?.message.content !== ANSWER) throw new Error('unexpected answer');
        }),
    });

    type Sdk = new (options: { baseURL: string; apiKey: string; maxRetries: number }) => {
      chat: { completions: { create: (body: unknown) => Promise<{ choices: { message: { content: string | null } }[] }> } };
    };
    let sdk: Sdk | undefined;
    try {
      sdk = ((await import('openai')) as unknown as { default: Sdk }).default;
    } catch {
      sdk = undefined;
    }
    if (sdk) {
      const client = new sdk({ baseURL: base, apiKey: 'bench', maxRetries: 0 });
      modes.push({
        name: 'openai SDK v6 (same request)',
        samples: [],
        run: (n) =>
          pool(n, async () => {
            const reply = await client.chat.completions.create(chatRequestBody('test-vlm', request, { temperature: 0, maxTokens: 256 }));
            if (reply.choices[0]?.message.content !== ANSWER) throw new Error('unexpected answer');
          }),
      });
    }

    const policy = await createOpenAiPolicy({ baseUrl: base, model: 'test-vlm', sampling: { maxTokens: 256 } });
    modes.push({
      name: 'our openai policy',
      samples: [],
      run: (n) =>
        pool(n, async () => {
          const [answer] = await policy.generate([request]);
          if (answer !== ANSWER) throw new Error('unexpected answer');
        }),
    });

    let runs = 0;
    modes.push({
      name: 'runEvaluation end to end',
      samples: [],
      run: async (n) => {
        const records: EvalRecord[] = Array.from({ length: n }, (_, index) => ({
          index,
          instruction: INSTRUCTION,
          kind: 'affordance',
          action: { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.2, height: 0.2 } },
          imagePath: IMAGE,
        }));
        const result = await runEvaluation({ policy, records, outDir: join(dir, `run-${runs++}`), concurrency: CONCURRENCY, report: false });
        if (result.metrics.affordance.iou === null || Math.abs(result.metrics.affordance.iou - 100) > 1e-6) throw new Error('unexpected metrics');
      },
    });

    for (const mode of modes) await mode.run(WARMUP);
    // Interleaved rounds, so drift in machine load hits every mode alike; medians reported.
    for (let round = 0; round < ROUNDS; round++) for (const mode of modes) await sample(mode, REQUESTS);
  } finally {
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const baseline = modes[0] as Mode;
  const baseCpu = median(baseline.samples.map((s) => s.cpuMs));
  const baseWall = median(baseline.samples.map((s) => s.wallMs));
  console.log(`eval client: ${ROUNDS} interleaved rounds of ${REQUESTS} requests per mode (medians), ${CONCURRENCY} in flight,`);
  console.log('instant answers from a test server in another process, 640×480 PNG sample (568 kB data URI)');
  console.log(['mode'.padEnd(42), 'req/s'.padStart(8), 'wall ms/req'.padStart(12), 'client CPU ms/req'.padStart(18), 'CPU − baseline'.padStart(15), 'CPU ×baseline'.padStart(14)].join(''));
  for (const mode of modes) {
    const wall = median(mode.samples.map((s) => s.wallMs));
    const cpu = median(mode.samples.map((s) => s.cpuMs));
    console.log(
      [
        mode.name.padEnd(42),
        (1000 / wall).toFixed(0).padStart(8),
        wall.toFixed(3).padStart(12),
        cpu.toFixed(3).padStart(18),
        (mode === baseline ? '—' : (cpu - baseCpu).toFixed(3)).padStart(15),
        (cpu / baseCpu).toFixed(2).padStart(14),
      ].join(''),
    );
  }
  void baseWall;
}

if (process.env[SERVER_ENV] === '1') {
  const server = await startTestServer({ answers: { [INSTRUCTION]: ANSWER }, recordBodies: false });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void server.close().then(() => process.exit(0)));
}
