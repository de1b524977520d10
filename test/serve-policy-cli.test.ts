/**
 * `vla-r1 serve policy` as a process: start-up line, a completion, clear errors, and a graceful SIGTERM
 * (exit code 0). Runs the compiled CLI (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FORMAT, saveCheckpoint } from '../src/model/checkpoint.js';
import type { ModelConfig } from '../src/model/config.js';
import { initParams } from '../src/model/params.js';
import { Rng } from '../src/model/rng.js';
import { Tokenizer } from '../src/model/tokenizer.js';
import { imageDataUri } from '../src/policy/openai.js';
import { parseAnswer } from '../src/protocol/answer.js';
import { buildPrompt } from '../src/protocol/prompts.js';
import { probe } from '../src/serve/http-probe.js';

const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const IMAGE_PATH = fileURLToPath(new URL('fixtures/official-samples/trajectory-424x240.png', import.meta.url));

let root: string;
let checkpoint: string;
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vla-serve-policy-'));
  checkpoint = join(root, 'ckpt');
  const tokenizer = Tokenizer.train(['reach the cup.'], { coordinateBins: 16 });
  const config: ModelConfig = { imageSize: 8, patchSize: 4, dModel: 16, nLayers: 1, nHeads: 2, mlpRatio: 2, vocabSize: tokenizer.vocabSize, promptLength: 6, targetLength: 12, coordinateBins: tokenizer.coordinateBins };
  await saveCheckpoint(checkpoint, {
    config: { format: CHECKPOINT_FORMAT, model: config, grammar: { maxPoints: 3, thinking: false }, info: {} },
    tokenizer,
    params: initParams(config, new Rng(1)),
  });
});
afterAll(() => rm(root, { recursive: true, force: true }));
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [cli, 'serve', 'policy', ...args], { env: { ...process.env, VLA_R1_POLICY_TOKEN: '', ...env } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+) /.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${String(code)} before listening: ${err}`)));
  });
  return { child, exited, listening, stdout: () => out, stderr: () => err };
}

describe('vla-r1 serve policy (process)', () => {
  it('serves completions with the token from the environment and stops gracefully on SIGTERM', async () => {
    const service = run(['--checkpoint', checkpoint, '--port', '0', '--model-name', 'tiny'], { VLA_R1_POLICY_TOKEN: 'tok' });
    const url = await service.listening;
    expect(service.stdout()).toMatch(
      /^vla-r1 policy service listening on http:\/\/127\.0\.0\.1:\d+ \(model tiny; POST \/v1\/chat\/completions, GET \/v1\/models, GET \/health\), token required\n$/,
    );
    const image = { bytes: new Uint8Array(await readFile(IMAGE_PATH)), mimeType: 'image/png' as const };
    const body = {
      model: 'tiny',
      temperature: 0,
      messages: [{ role: 'user', content: [{ type: 'text', text: buildPrompt('reach the cup.', 'trajectory') }, { type: 'image_url', image_url: { url: imageDataUri(image) } }] }],
    };
    expect((await probe(`${url}/v1/chat/completions`, { body })).status).toBe(401);
    const res = await probe(`${url}/v1/chat/completions`, { body, headers: { Authorization: 'Bearer tok' } });
    expect(res.status).toBe(200);
    const reply = JSON.parse(res.text) as { choices: { message: { content: string } }[] };
    expect(parseAnswer(reply.choices[0]?.message.content ?? '', 'trajectory').ok).toBe(true);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.stderr()).toMatch(/^vla-r1 serve policy: SIGTERM: stopping \(finishing 0 in-flight request\(s\)\)$/m);
    expect(service.stderr()).toMatch(/^vla-r1 serve policy: stopped after 2 request\(s\), 1 completion\(s\) in 1 batch\(es\)$/m);
  });

  it('names a missing checkpoint and exits with the user-error code', async () => {
    const service = run(['--checkpoint', join(root, 'missing'), '--port', '0']);
    service.listening.catch(() => undefined);
    expect(await service.exited).toBe(2);
    expect(service.stderr()).toContain(`${join(root, 'missing')}: not a checkpoint`);
    expect(service.stdout()).toBe('');
  });
});
