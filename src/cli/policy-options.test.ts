import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { createPolicy } from '../policy/create-policy.js';
import { addPolicyOptions, parseHeaders, policySettingsFromFlags } from './policy-options.js';

function parse(args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof policySettingsFromFlags> {
  const cmd = addPolicyOptions(new Command('x').exitOverride().configureOutput({ writeErr: () => {} }));
  cmd.parse(args, { from: 'user' });
  return policySettingsFromFlags(cmd.opts(), env);
}

describe('addPolicyOptions / policySettingsFromFlags', () => {
  it('defaults to the local policy, normalized coordinates, 4 in flight', () => {
    expect(parse([])).toEqual({
      policy: { kind: 'local', retries: 4, sampling: {} },
      coordinateScale: { convention: 'normalized' },
      concurrency: 4,
      batchSize: 1,
      generate: {},
    });
    expect(parse(['--policy', 'openai']).generate).toEqual({ maxTokens: 1024 });
  });

  it('reads every flag of an OpenAI-compatible run', () => {
    const settings = parse(
      [
        '--policy', 'openai', '--base-url', 'http://127.0.0.1:8000/v1', '--model', 'Qwen/Qwen2.5-VL-3B-Instruct',
        '--api-key-env', 'MY_KEY', '--header', 'X-Team: robots', '--header', 'X-Run:  7 ', '--timeout', '12.5',
        '--retries', '2', '--temperature', '0.7', '--top-p', '0.9', '--max-tokens', '256', '--seed', '42',
        '--extra-body', '{"top_k": 1}', '--reasoning-as-think', '--coordinates', 'pixels', '--max-pixels', '1003520',
        '--concurrency', '16', '--batch-size', '2',
      ],
      { MY_KEY: 'sk-123' },
    );
    const sampling = { temperature: 0.7, topP: 0.9, maxTokens: 256, seed: 42 };
    expect(settings).toEqual({
      policy: {
        kind: 'openai',
        baseUrl: 'http://127.0.0.1:8000/v1',
        model: 'Qwen/Qwen2.5-VL-3B-Instruct',
        apiKey: 'sk-123',
        headers: { 'X-Team': 'robots', 'X-Run': '7' },
        timeoutMs: 12_500,
        retries: 2,
        sampling,
        extraBody: { top_k: 1 },
        reasoningAsThink: true,
      },
      coordinateScale: { convention: 'pixels', resize: { factor: 28, minPixels: 3136, maxPixels: 1003520 } },
      concurrency: 16,
      batchSize: 2,
      generate: sampling,
    });
  });

  it('names the flag of a bad value', () => {
    expect(() => parse(['--concurrency', '0'])).toThrow(/^--concurrency: .* \(got "0"\)$/);
    expect(() => parse(['--top-p', '1.5'])).toThrow(/^--top-p: /);
    expect(() => parse(['--extra-body', '[1]'])).toThrow('--extra-body: expected a JSON object');
    expect(() => parse(['--extra-body', '{x'])).toThrow('--extra-body: not JSON: {x');
    expect(() => parse(['--min-pixels', '5000', '--max-pixels', '4000'])).toThrow(UserError);
    expect(() => parse(['--header', 'no colon'])).toThrow(`--header: expected 'Name: value', got "no colon"`);
    expect(() => parse(['--policy', 'magic'])).toThrow(/Allowed choices are openai, vla-r1-server, local/);
  });

  it('parses headers', () => {
    expect(parseHeaders(['Authorization: Bearer a:b'])).toEqual({ Authorization: 'Bearer a:b' });
    expect(() => parseHeaders([': x'])).toThrow(UserError);
  });
});

describe('createPolicy', () => {
  it('asks for what each backend needs', async () => {
    await expect(createPolicy({ kind: 'openai' })).rejects.toThrow('--policy openai needs --base-url (e.g. http://127.0.0.1:8000/v1)');
    await expect(createPolicy({ kind: 'vla-r1-server' })).rejects.toThrow('--policy vla-r1-server needs --base-url (e.g. http://127.0.0.1:8000)');
    await expect(createPolicy({ kind: 'local' })).rejects.toThrow('--policy local needs --checkpoint DIR');
    const official = await createPolicy({ kind: 'vla-r1-server', baseUrl: 'http://127.0.0.1:8000' });
    expect(official.name).toBe('vla-r1-server:127.0.0.1:8000');
    const openai = await createPolicy({ kind: 'openai', baseUrl: 'http://127.0.0.1:9', model: 'm' });
    expect(openai.name).toBe('openai:m');
  });
});
