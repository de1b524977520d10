import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalRecord } from '../eval/eval-record.js';
import { runEvaluation } from '../eval/runner.js';
import { CHECKPOINT_FORMAT, saveCheckpoint } from '../model/checkpoint.js';
import type { ModelConfig } from '../model/config.js';
import { initParams } from '../model/params.js';
import { Rng } from '../model/rng.js';
import { Tokenizer } from '../model/tokenizer.js';
import { createLocalPolicy } from '../policy/local.js';
import { createOpenAiPolicy, imageDataUri } from '../policy/openai.js';
import type { Policy, PolicyImage } from '../policy/types.js';
import { parseAnswer } from '../protocol/answer.js';
import { buildPrompt } from '../protocol/prompts.js';
import type { TaskKind } from '../protocol/types.js';
import { probe } from './http-probe.js';
import { startPolicyServer, type PolicyServer } from './policy-server.js';
import { TINY_MODEL_SHAPE } from '../model/config.js';

const IMAGE_PATH = fileURLToPath(new URL('../../test/fixtures/official-samples/affordance-640x480.png', import.meta.url));
const TOKEN = 's3cret';

const tokenizer = Tokenizer.train(['reach the cup.', 'pick the red mug.', 'open the drawer.'], { coordinateBins: 16 });
const config: ModelConfig = {
  ...TINY_MODEL_SHAPE,
  vocabSize: tokenizer.vocabSize,
  promptLength: 6,
  targetLength: 12,
  coordinateBins: 0,
};

let root: string;
let policy: Policy;
let service: PolicyServer;
let image: PolicyImage;
const batches: number[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vla-policy-server-'));
  const dir = join(root, 'ckpt');
  // A random tiny model that never reasons: the grammar still makes every answer complete and parseable.
  await saveCheckpoint(dir, {
    config: { format: CHECKPOINT_FORMAT, model: config, grammar: { maxPoints: 3, thinking: false }, info: {} },
    tokenizer,
    params: initParams(config, new Rng(7)),
  });
  policy = await createLocalPolicy(dir, { batchSize: 8 });
  image = { bytes: new Uint8Array(await readFile(IMAGE_PATH)), mimeType: 'image/png' };
  service = await startPolicyServer({ policy, port: 0, token: TOKEN, maxBatch: 8, batchWindowMs: 20, onBatch: (n) => batches.push(n) });
});

afterAll(async () => {
  await service.close();
  await policy.close();
  await rm(root, { recursive: true, force: true });
});

const client = (): OpenAI => new OpenAI({ baseURL: `${service.url}/v1`, apiKey: TOKEN, maxRetries: 0 });

const userMessage = (instruction: string, kind: TaskKind) =>
  [
    {
      role: 'user' as const,
      content: [
        { type: 'text' as const, text: buildPrompt(instruction, kind) },
        { type: 'image_url' as const, image_url: { url: imageDataUri(image) } },
      ],
    },
  ];

const post = (body: unknown) =>
  probe(`${service.url}/v1/chat/completions`, { body, headers: { Authorization: `Bearer ${TOKEN}` } });

describe('policy service', () => {
  it('answers the official openai client like the local policy does', async () => {
    const [direct] = await policy.generate([{ image, instruction: 'pick the red mug.', kind: 'affordance' }], { temperature: 0 });
    const reply = await client().chat.completions.create({ model: 'vla-r1', messages: userMessage('pick the red mug.', 'affordance'), temperature: 0 });
    expect(reply.object).toBe('chat.completion');
    expect(reply.model).toBe('vla-r1');
    expect(reply.choices).toHaveLength(1);
    const choice = reply.choices[0];
    expect(choice?.index).toBe(0);
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content).toBe(direct);
    expect(parseAnswer(choice?.message.content ?? '', 'affordance').ok).toBe(true);
    expect(choice?.finish_reason).toBe('stop');
    // task token + 'pick', ' the', ' red', ' mug', '.'
    expect(reply.usage?.prompt_tokens).toBe(6);
    expect(reply.usage?.total_tokens).toBe((reply.usage?.prompt_tokens ?? 0) + (reply.usage?.completion_tokens ?? 0));
    expect(reply.usage?.completion_tokens).toBeGreaterThan(5);
  });

  it('gives n choices, accepts image_url as a string, and lists the model', async () => {
    const messages = userMessage('reach the cup.', 'trajectory');
    const text = messages[0]?.content[0];
    const body = { model: 'vla-r1', n: 2, temperature: 1, seed: 3, messages: [{ role: 'user', content: [text, { type: 'image_url', image_url: imageDataUri(image) }] }] };
    const res = await post(body);
    expect(res.status).toBe(200);
    const reply = JSON.parse(res.text) as { choices: { index: number; message: { content: string } }[] };
    expect(reply.choices.map((c) => c.index)).toEqual([0, 1]);
    const request = { image, instruction: 'reach the cup.', kind: 'trajectory' as const };
    // Client-seeded sampling is never merged with other requests: the same as one generate call with the seed.
    expect(reply.choices.map((c) => c.message.content)).toEqual(await policy.generate([request, request], { temperature: 1, topP: 1, seed: 3 }));
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(['vla-r1']);
  });

  it('batches concurrent requests into fewer generate calls', async () => {
    const instructions = ['pick the red mug.', 'open the drawer.', 'reach the cup.', 'pick the cup.', 'open the mug.', 'reach the drawer.'];
    const direct = await policy.generate(instructions.map((instruction) => ({ image, instruction, kind: 'affordance' as const })), { temperature: 0 });
    batches.length = 0;
    const openai = client();
    const replies = await Promise.all(
      instructions.map((instruction) => openai.chat.completions.create({ model: 'vla-r1', messages: userMessage(instruction, 'affordance'), temperature: 0 })),
    );
    expect(replies.map((r) => r.choices[0]?.message.content)).toEqual(direct);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(6);
    expect(batches.length).toBeLessThan(instructions.length);
    expect(Math.max(...batches)).toBeLessThanOrEqual(8);
  });

  it('answers bad requests with a 4xx naming the field, and keeps serving', async () => {
    const good = { model: 'vla-r1', temperature: 0, messages: userMessage('open the drawer.', 'affordance') };
    const cases: [unknown, number, RegExp][] = [
      ['{"messages": [', 400, /^body: invalid JSON/],
      [{ ...good, temperature: 'hot' }, 400, /^temperature: expected number/],
      [{ ...good, messages: [{ role: 'user', content: buildPrompt('open the drawer.', 'affordance') }] }, 400, /^messages\[0\]\.content: no image/],
      [{ ...good, messages: [{ role: 'user', content: [{ type: 'text', text: 'describe this picture' }, good.messages[0]?.content[1]] }] }, 400, /^messages\[0\]\.content: the text must be/],
      [{ ...good, messages: [{ role: 'user', content: [good.messages[0]?.content[0], { type: 'image_url', image_url: 'data:image/png;base64,iVBORw0KGgoAAAA' }] }] }, 400, /^messages\[0\]\.content\[1\]\.image_url: cannot use the image/],
      [{ ...good, model: 'gpt-4o' }, 404, /^model: "gpt-4o" is not served here/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      expect(res.status, res.text).toBe(status);
      expect((JSON.parse(res.text) as { error: string }).error).toMatch(message);
    }
    const unauthorised = await probe(`${service.url}/v1/models`);
    expect(unauthorised.status).toBe(401);
    const res = await post(good);
    expect(res.status).toBe(200);
    expect(service.stats.errors4xx).toBeGreaterThanOrEqual(cases.length + 1);
    const health = JSON.parse((await probe(`${service.url}/health`)).text) as { status: string; inFlight: number };
    expect(health.status).toBe('ok');
    expect(health.inFlight).toBe(0);
  });

  it('gives runEvaluation through the service the same predictions as the local policy', async () => {
    const truth = { kind: 'affordance' as const, box: { x: 0.5, y: 0.5, width: 0.2, height: 0.2 } };
    const path = { kind: 'trajectory' as const, points: [[0.1, 0.1], [0.5, 0.5]] as [number, number][] };
    const records: EvalRecord[] = [
      { index: 0, instruction: 'pick the red mug.', kind: 'affordance', action: truth, imagePath: IMAGE_PATH },
      { index: 1, instruction: 'reach the cup.', kind: 'trajectory', action: path, imagePath: IMAGE_PATH },
      { index: 2, instruction: 'open the drawer.', kind: 'affordance', action: truth, imagePath: IMAGE_PATH },
      { index: 3, instruction: 'reach the drawer.', kind: 'trajectory', action: path, imagePath: IMAGE_PATH },
    ];
    const generate = { temperature: 0 };
    const local = await runEvaluation({ policy, records, outDir: join(root, 'eval-local'), batchSize: 4, generate, report: false });
    const remote = await createOpenAiPolicy({ baseUrl: service.url, apiKey: TOKEN, retry: { retries: 0 } });
    expect(remote.name).toBe('openai:vla-r1');
    const served = await runEvaluation({ policy: remote, records, outDir: join(root, 'eval-served'), concurrency: 4, generate, report: false });
    expect(served.lines.map((l) => l.prediction)).toEqual(local.lines.map((l) => l.prediction));
    expect(served.lines.every((l) => l.ok)).toBe(true);
    expect(served.metrics).toEqual(local.metrics);
  });
});

describe('policy service lifecycle', () => {
  it('finishes in-flight requests on close, and answers 500 on a policy failure', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Policy = {
      name: 'slow',
      generate: async (requests) => {
        if (requests.some((r) => r.instruction === 'crash')) throw new Error('engine on fire');
        await gate;
        return requests.map(() => '<think></think> so, the answer is <output>[[0.1, 0.2]]</output>');
      },
      close: async () => {},
    };
    const logs: string[] = [];
    const fake = await startPolicyServer({ policy: slow, port: 0, modelName: 'slow', log: (line) => logs.push(line) });
    const body = (instruction: string) => ({ messages: userMessage(instruction, 'trajectory'), temperature: 0 });
    const crashed = await probe(`${fake.url}/v1/chat/completions`, { body: body('crash') });
    expect(crashed.status).toBe(500);
    expect(JSON.parse(crashed.text)).toEqual({ error: 'internal error: engine on fire' });
    expect(logs.some((line) => line.startsWith('policy service: internal error: Error: engine on fire'))).toBe(true);
    const inFlight = probe(`${fake.url}/v1/chat/completions`, { body: body('reach the cup.') });
    while (fake.stats.inFlight === 0 || fake.batcher.stats.batches < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    const closed = fake.close();
    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.headers.connection).toBe('close');
    const reply = JSON.parse(res.text) as { model: string; choices: { finish_reason: string }[] };
    expect(reply.model).toBe('slow');
    expect(reply.choices[0]?.finish_reason).toBe('stop');
    await closed;
    expect(fake.server.listening).toBe(false);
  });
});
