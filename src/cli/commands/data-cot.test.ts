import { Command } from 'commander';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/openai-test-server.js';
import { cotTemplate } from '../../data/cot-engine.js';
import { formatAnswer } from '../../protocol/answer.js';
import { buildHumanTurn } from '../../protocol/prompts.js';
import { registerDataCot } from './data-cot.js';

const IMAGE = fileURLToPath(new URL('../../../test/fixtures/official-samples/trajectory-424x240.png', import.meta.url));
const RATIONALE = 'Task: reach. The bottle is on the right. Nothing blocks the way. Four points, evenly spaced.';

let server: TestServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(args: string[]): Promise<string> {
  const program = new Command('vla-r1').exitOverride();
  registerDataCot(program.command('data'));
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  await program.parseAsync(['data', 'cot', ...args], { from: 'user' });
  return out;
}

describe('vla-r1 data cot', () => {
  it('keeps the consistent rationale, prints kept/rejected counts, and resumes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vla-r1-cli-cot-'));
    const label = { kind: 'trajectory' as const, points: [[0.2, 0.8], [0.4, 0.6], [0.6, 0.4], [0.8, 0.2]] as [number, number][] };
    const data = join(dir, 'train.jsonl');
    const lines = ['reach for the bottle.', 'reach for the can.'].map((instruction) =>
      JSON.stringify({ image: IMAGE, conversations: [{ from: 'human', value: buildHumanTurn(instruction, 'trajectory') }, { from: 'gpt', value: formatAnswer('t', label) }] }),
    );
    await writeFile(data, `${lines.join('\n')}\n`);
    server = await startTestServer({
      answers: {
        [`reach for the bottle.${cotTemplate('trajectory')}`]: formatAnswer(RATIONALE, label),
        [`reach for the can.${cotTemplate('trajectory')}`]: formatAnswer(RATIONALE, { kind: 'trajectory', points: [[0.9, 0.9]] }),
      },
    });
    const out = join(dir, 'cot.jsonl');
    const args = ['--base-url', server.url, '--model', 'test-vlm', '--data', data, '--out', out];
    expect(await run(args)).toBe(`kept 1 of 2 (50.0%); rejected 1: inconsistent 1\nwrote ${out}; per-record outcomes in ${out}.progress.jsonl\n`);
    const kept = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { conversations: { value: string }[] });
    expect(kept).toHaveLength(1);
    expect(kept[0]?.conversations[1]?.value).toBe(formatAnswer(RATIONALE, label));
    server.reset();
    expect(await run(args)).toContain('(2 resumed)');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects a bad tolerance naming the flag', async () => {
    await expect(run(['--data', 'x', '--out', 'y', '--min-iou', '1.5'])).rejects.toThrow('--min-iou: expected a number in [0, 1], got "1.5"');
  });
});
