import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateMetrics, sampleMetrics } from '../src/eval/metrics.js';
import { buildHumanTurn } from '../src/protocol/prompts.js';
import { formatAnswer } from '../src/protocol/answer.js';
import type { Action } from '../src/protocol/types.js';
import { startTestServer, type TestServer } from './helpers/openai-test-server.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const IMAGE = fileURLToPath(new URL('./fixtures/official-samples/affordance-640x480.png', import.meta.url));

const cases: { instruction: string; truth: Action; answer: string }[] = [
  {
    instruction: 'pick up the broccoli.',
    truth: { kind: 'affordance', box: { x: 0.5, y: 0.5, width: 0.2, height: 0.2 } },
    answer: formatAnswer('the broccoli is in the centre.', { kind: 'affordance', box: { x: 0.55, y: 0.5, width: 0.2, height: 0.2 } }),
  },
  {
    instruction: 'reach for the pot.',
    truth: { kind: 'trajectory', points: [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]] },
    answer: formatAnswer('go down and right.', { kind: 'trajectory', points: [[0.1, 0.2], [0.5, 0.5], [0.8, 0.9]] }),
  },
  {
    instruction: 'grab the lid.',
    truth: { kind: 'affordance', box: { x: 0.3, y: 0.3, width: 0.1, height: 0.1 } },
    answer: 'I cannot tell.',
  },
];

describe('vla-r1 eval --policy openai (compiled CLI, real loopback server)', () => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer({ answers: Object.fromEntries(cases.map((c) => [c.instruction, c.answer])) });
    dir = await mkdtemp(join(tmpdir(), 'vla-r1-cli-eval-'));
    const records = cases.map((c) => ({
      image: IMAGE,
      conversations: [
        { from: 'human', value: buildHumanTurn(c.instruction, c.truth.kind) },
        { from: 'gpt', value: formatAnswer('reference.', c.truth) },
      ],
    }));
    await writeFile(join(dir, 'data.json'), JSON.stringify(records));
  });

  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the same metrics as scoring the answers in-process, one prediction line per record', async () => {
    const out = join(dir, 'out');
    const args = [CLI, 'eval', '--policy', 'openai', '--base-url', `${server.url}/v1`, '--model', 'test-vlm'];
    await run(process.execPath, [...args, '--data', join(dir, 'data.json'), '--out', out, '--concurrency', '2']);
    const written = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8')) as unknown;
    expect(written).toEqual(aggregateMetrics(cases.map((c) => sampleMetrics(c.answer, c.truth))));
    const lines = (await readFile(join(out, 'predictions.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);

    // A rerun into the same folder resumes: nothing is asked again, nothing duplicated.
    server.reset();
    await run(process.execPath, [...args, '--data', join(dir, 'data.json'), '--out', out]);
    expect(server.requests.filter((r) => r.route === 'chat')).toHaveLength(0);
    expect((await readFile(join(out, 'predictions.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(3);
  });

  it('names the missing flag without a stack trace', async () => {
    const result = await run(process.execPath, [CLI, 'eval', '--policy', 'openai', '--data', join(dir, 'data.json'), '--out', join(dir, 'x')]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toBe('vla-r1: --policy openai needs --base-url URL\n');
  });
});
