import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPrompt } from '../protocol/prompts.js';
import { computeScore } from '../rewards/index.js';
import { rewardResultJson } from '../cli/commands/reward.js';
import { probe } from './http-probe.js';
import { isLoopbackHost, startRewardServer } from './reward-server.js';
import type { RewardServer } from './reward-server.js';

interface Case {
  response: string;
  ground_truth: string;
}

const cases: Case[] = readFileSync(new URL('../../test/fixtures/reward-official-400.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Case);

const expectedJson = (c: Case, options = {}): unknown => JSON.parse(rewardResultJson(computeScore(c.response, c.ground_truth, options)));

const prompt = `<|im_start|>user\n${buildPrompt('move the cup next to the plate.', 'trajectory')}<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n<|im_start|>assistant\n`;

describe('reward service endpoints', () => {
  let service: RewardServer;
  beforeAll(async () => {
    service = await startRewardServer({ port: 0 });
  });
  afterAll(async () => {
    await service.close();
  });

  it('binds loopback by default and reports health', async () => {
    expect(service.host).toBe('127.0.0.1');
    expect(service.url).toBe(`http://127.0.0.1:${service.port}`);
    const res = await probe(`${service.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.text)).toMatchObject({ status: 'ok', service: 'vla-r1-reward', in_flight: 0 });
  });

  it('POST /v1/reward gives, for all 400 fixture cases, exactly what vla-r1 reward writes', async () => {
    const res = await probe(`${service.url}/v1/reward`, { body: cases });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual(cases.map((c) => expectedJson(c)));
  });

  it('POST /v1/reward applies per-item options', async () => {
    const trajectory = cases.find((c) => expectedJson(c) !== null && (expectedJson(c) as { mode: string }).mode === 'trajectory');
    if (trajectory === undefined) throw new Error('fixture has no trajectory case');
    const options = { lambdaAngle: 0, lambdaLength: 0 };
    const res = await probe(`${service.url}/v1/reward`, { body: [trajectory, { ...trajectory, options }] });
    const [plain, custom] = JSON.parse(res.text) as [{ alaf: number }, { alaf: number }];
    expect(plain).toEqual(expectedJson(trajectory));
    expect(custom).toEqual(expectedJson(trajectory, options));
    expect(custom.alaf).not.toBe(plain.alaf);
  });

  it('POST /v1/reward accepts an empty batch', async () => {
    const res = await probe(`${service.url}/v1/reward`, { body: [] });
    expect(res.status).toBe(200);
    expect(res.text).toBe('[]');
  });

  it('POST /get_reward scores the response after the prompt, in OpenRLHF format', async () => {
    const some = cases.slice(0, 50);
    const body = {
      query: some.map((c) => prompt + c.response + '<|im_end|>'),
      prompts: some.map(() => prompt),
      labels: some.map((c) => c.ground_truth),
    };
    const res = await probe(`${service.url}/get_reward`, { body });
    expect(res.status).toBe(200);
    const expected = some.map((c) => computeScore(c.response, c.ground_truth));
    expect(JSON.parse(res.text)).toEqual({
      rewards: expected.map((r) => r.score),
      scores: expected.map((r) => r.score),
      extra_logs: { format_score: expected.map((r) => r.formatScore), task_score: expected.map((r) => r.taskScore) },
    });
  });

  it('POST /get_reward would score 0 if it scored the whole query (the prompt holds an <output> template)', () => {
    const good = cases.find((c) => computeScore(c.response, c.ground_truth).score > 0.5);
    if (good === undefined) throw new Error('fixture has no good case');
    expect(computeScore(prompt + good.response, good.ground_truth).score).toBe(0);
  });

  it('POST /get_reward answers 422 naming the query that does not contain its prompt', async () => {
    const res = await probe(`${service.url}/get_reward`, {
      body: { query: [prompt + 'x', 'no prompt here'], prompts: [prompt, prompt], labels: ['a', 'b'] },
    });
    expect(res.status).toBe(422);
    expect(JSON.parse(res.text)).toEqual({
      error: 'query[1]: does not contain its prompt (prompts[1]), so the response cannot be told apart',
    });
  });

  it('keeps answering health checks while it scores a heavy batch', async () => {
    const heavy = Array.from({ length: 40 }, () => cases).flat(); // 16,000 answers
    const order: string[] = [];
    const batch = probe(`${service.url}/v1/reward`, { body: heavy }).then((res) => {
      order.push('batch');
      return res;
    });
    // Health answered while the batch is being scored (not merely uploaded) proves scoring yields.
    let seenScoring = false;
    for (let i = 0; i < 2000 && !seenScoring && order.length === 0; i++) {
      const res = await probe(`${service.url}/health`);
      seenScoring = (JSON.parse(res.text) as { scoring: number }).scoring === 1;
    }
    if (seenScoring) order.push('health during scoring');
    const res = await batch;
    expect(order).toEqual(['health during scoring', 'batch']);
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as unknown[]).length).toBe(heavy.length);
  });
});

describe('isLoopbackHost (the CLI warns about a non-loopback host without a token)', () => {
  it('knows the loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'reward-host']) expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('reward service options', () => {
  it('applies server-wide reward options, which item options override', async () => {
    const service = await startRewardServer({ port: 0, rewardOptions: { lambdaAngle: 1 } });
    try {
      const trajectory = cases.find((c) => computeScore(c.response, c.ground_truth).mode === 'trajectory' && computeScore(c.response, c.ground_truth).alaf !== null);
      if (trajectory === undefined) throw new Error('fixture has no trajectory case');
      const res = await probe(`${service.url}/v1/reward`, { body: [trajectory, { ...trajectory, options: { lambdaAngle: 0.25 } }] });
      expect(JSON.parse(res.text)).toEqual([expectedJson(trajectory, { lambdaAngle: 1 }), expectedJson(trajectory, { lambdaAngle: 0.25 })]);
    } finally {
      await service.close();
    }
  });

  it('closes gracefully: the in-flight batch completes, then new connections are refused', async () => {
    const service = await startRewardServer({ port: 0 });
    const heavy = Array.from({ length: 20 }, () => cases).flat();
    const inFlight = probe(`${service.url}/v1/reward`, { body: heavy });
    for (let i = 0; i < 200 && service.stats.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(service.stats.inFlight).toBe(1);
    const closed = service.close();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((JSON.parse(res.text) as unknown[]).length).toBe(heavy.length);
    await closed;
    await expect(probe(`${service.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
