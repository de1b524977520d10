/** integrations/openrlhf/sharegpt_to_openrlhf.py: VLA-R1 records → OpenRLHF VLM prompt JSONL (python3, stdlib). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHumanTurn, buildPrompt } from '../src/protocol/prompts.js';

const script = fileURLToPath(new URL('../integrations/openrlhf/sharegpt_to_openrlhf.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vla-r1-openrlhf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const gpt = '<think>the handle faces right</think> so, the answer is <output>{"x": 0.6, "y": 0.4, "width": 0.1, "height": 0.2}</output>';
const records = [
  {
    image: 'images/0001.png',
    conversations: [
      { from: 'human', value: buildHumanTurn('pick up the mug by its handle.', 'affordance') },
      { from: 'gpt', value: gpt },
    ],
  },
  {
    image: ['/data/abs.png'],
    conversations: [
      { from: 'human', value: `<image>\n${buildPrompt('reach the ball.', 'trajectory')}` },
      { from: 'gpt', value: '<think>t</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4]]</output>' },
    ],
  },
];

function convert(input: string, output: string) {
  return spawnSync('python3', [script, input, output], { encoding: 'utf8' });
}

describe.skipIf(!hasPython)('sharegpt_to_openrlhf.py', () => {
  it('writes one OpenRLHF prompt per record, text then image, absolute image paths, the gpt answer as label', () => {
    for (const [name, text] of [
      ['records.json', JSON.stringify(records)],
      ['records.jsonl', records.map((r) => JSON.stringify(r)).join('\n') + '\n'],
    ] as const) {
      const input = join(dir, name);
      const output = join(dir, `${name}.out.jsonl`);
      writeFileSync(input, text);
      const run = convert(input, output);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe(`wrote 2 prompts to ${output}\n`);
      const rows = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as unknown);
      expect(rows).toEqual([
        {
          prompt: [{ role: 'user', content: [{ type: 'text', text: buildPrompt('pick up the mug by its handle.', 'affordance') }, { type: 'image' }] }],
          images: [join(dir, 'images/0001.png')],
          label: gpt,
        },
        {
          prompt: [{ role: 'user', content: [{ type: 'text', text: buildPrompt('reach the ball.', 'trajectory') }, { type: 'image' }] }],
          images: ['/data/abs.png'],
          label: '<think>t</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4]]</output>',
        },
      ]);
    }
  });

  it('names the file, line and field of a bad record and writes nothing', () => {
    const input = join(dir, 'bad.jsonl');
    const output = join(dir, 'bad.out.jsonl');
    writeFileSync(input, `${JSON.stringify(records[0])}\n\n${JSON.stringify({ image: 7, conversations: records[0]?.conversations })}\n`);
    const run = convert(input, output);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`sharegpt_to_openrlhf: ${input}: line 3: image: expected a path or a list of paths\n`);
    expect(spawnSync('test', ['-e', output]).status).toBe(1);
  });
});
