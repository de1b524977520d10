import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/openai-test-server.js';
import { UserError } from '../errors.js';
import { AFFORDANCE_SUFFIX, TRAJECTORY_SUFFIX } from '../protocol/prompts.js';
import { chatRequestBody, createOpenAiPolicy, encodeChatRequest, imageDataUri, normalizeBaseUrl, replyText } from './openai.js';
import { HttpStatusError, RetriesExhaustedError } from './retry.js';
import type { PolicyImage, PolicyRequest } from './types.js';

const png = new Uint8Array(readFileSync(new URL('../../test/fixtures/official-samples/affordance-640x480.png', import.meta.url)));
const image: PolicyImage = { bytes: png, mimeType: 'image/png' };
const BOX = '<think>the mug handle is on the right.</think> so, the answer is <output>{"x": 0.5, "y": 0.25, "width": 0.1, "height": 0.2}</output>';
const TRAJ = '<think>straight reach.</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4]]</output>';

const mug: PolicyRequest = { image, instruction: 'pick up the red mug by its handle.', kind: 'affordance' };
const reach: PolicyRequest = { image, instruction: 'reach for the ketchup bottle.', kind: 'trajectory' };

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const noSleep = { sleep: async () => {} };

describe('normalizeBaseUrl', () => {
  it('adds /v1 to a bare origin and trims slashes', () => {
    expect(normalizeBaseUrl('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000/v1');
    expect(normalizeBaseUrl('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000/v1');
    expect(normalizeBaseUrl('http://localhost:11434/v1/')).toBe('http://localhost:11434/v1');
    expect(normalizeBaseUrl('https://api.example.com/openai/v1')).toBe('https://api.example.com/openai/v1');
    expect(() => normalizeBaseUrl('localhost:8000')).toThrow(UserError);
    expect(() => normalizeBaseUrl('ftp://x/')).toThrow(/expected http/);
  });
});

describe('chatRequestBody', () => {
  it('sends the official prompt as text, then the image as a data URI', () => {
    const body = chatRequestBody('m', mug, { temperature: 0.7, topP: 0.9, maxTokens: 512, seed: 3 }, { top_k: 5 });
    expect(body).toEqual({
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: `pick up the red mug by its handle.${AFFORDANCE_SUFFIX}` },
            { type: 'image_url', image_url: { url: imageDataUri(image) } },
          ],
        },
      ],
      stream: false,
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 512,
      seed: 3,
      top_k: 5,
    });
    expect(imageDataUri({ bytes: new Uint8Array([1, 2, 3]), mimeType: 'image/jpeg' })).toBe('data:image/jpeg;base64,AQID');
  });

  it('encodes the body bytes exactly as JSON.stringify would', () => {
    for (const request of [mug, { ...reach, instruction: 'quote " backslash \\ newline \n unicode é 漢 \u0001' }]) {
      const sampling = { temperature: 0.7, maxTokens: 12 };
      const bytes = encodeChatRequest('Qwen/Qwen2.5-VL-3B-Instruct', request, sampling, { top_k: 5, stop: ['</output>'] });
      expect(Buffer.from(bytes).toString('utf8')).toBe(JSON.stringify(chatRequestBody('Qwen/Qwen2.5-VL-3B-Instruct', request, sampling, { top_k: 5, stop: ['</output>'] })));
    }
  });

  it('puts separate reasoning back as a think block when asked', () => {
    const reply = { choices: [{ message: { content: ' so, the answer is <output>[]</output>', reasoning_content: 'step 1' } }] };
    expect(replyText(reply, true)).toBe('<think>step 1</think> so, the answer is <output>[]</output>');
    expect(replyText(reply, false)).toBe(' so, the answer is <output>[]</output>');
    expect(replyText({ choices: [{ message: { content: null } }] }, true)).toBe('');
    expect(replyText({ choices: [{ message: { content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] } }] }, false)).toBe('ab');
  });
});

describe('createOpenAiPolicy against a real HTTP server', () => {
  it('answers in order, with the model discovered, the key and extra headers sent', async () => {
    server = await startTestServer({ answers: { [mug.instruction]: BOX, [reach.instruction]: TRAJ }, model: 'Qwen/Qwen2.5-VL-3B-Instruct' });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, apiKey: 'sk-test', headers: { 'x-team': 'robots' }, sampling: { maxTokens: 256 } });
    expect(policy.name).toBe('openai:Qwen/Qwen2.5-VL-3B-Instruct');
    expect(await policy.generate([reach, mug], { seed: 11 })).toEqual([TRAJ, BOX]);
    const chats = server.requests.filter((r) => r.route === 'chat');
    expect(chats.map((r) => r.prompt).sort()).toEqual([`${mug.instruction}${AFFORDANCE_SUFFIX}`, `${reach.instruction}${TRAJECTORY_SUFFIX}`].sort());
    for (const r of chats) {
      expect(r.headers.authorization).toBe('Bearer sk-test');
      expect(r.headers['x-team']).toBe('robots');
      expect(r.imageMime).toBe('image/png');
      expect(Buffer.from(r.image ?? []).equals(Buffer.from(png))).toBe(true);
      expect(r.body).toMatchObject({ model: 'Qwen/Qwen2.5-VL-3B-Instruct', temperature: 0, max_tokens: 256, seed: 11 });
    }
  });

  it('retries 429 (waiting its Retry-After), 500 and a timeout, then answers', async () => {
    server = await startTestServer({
      answers: { [mug.instruction]: BOX },
      faults: { [mug.instruction]: [{ status: 429, retryAfter: '3' }, { status: 500 }, 'timeout', 'reset'] },
    });
    const delays: number[] = [];
    const policy = await createOpenAiPolicy({
      baseUrl: `${server.url}/v1`,
      model: 'test-vlm',
      timeoutMs: 300,
      retry: { retries: 4, baseDelayMs: 10, random: () => 0, sleep: async (ms) => void delays.push(ms) },
    });
    expect(await policy.generate([mug])).toEqual([BOX]);
    expect(server.requests.map((r) => r.outcome)).toEqual(['429', '500', 'timeout', 'reset', 'ok']);
    expect(delays).toEqual([3000, 10, 20, 40]);
  });

  it('gives up after the retries with the last error', async () => {
    server = await startTestServer({ answers: { [mug.instruction]: BOX }, faults: { '*': [{ status: 503 }, { status: 503 }, { status: 502 }] } });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm', retry: { retries: 2, ...noSleep } });
    const error = await policy.generate([mug]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).lastError).toBeInstanceOf(HttpStatusError);
    expect(((error as RetriesExhaustedError).lastError as HttpStatusError).status).toBe(502);
    expect(server.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    server = await startTestServer({ answers: {} });
    const policy = await createOpenAiPolicy({ baseUrl: server.url, model: 'test-vlm', retry: { retries: 4, ...noSleep } });
    const error = await policy.generate([mug]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as HttpStatusError).status).toBe(400);
    expect(server.requests).toHaveLength(1);
  });

  it('names the server when it cannot be reached for model discovery', async () => {
    server = await startTestServer({ answers: {} });
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(createOpenAiPolicy({ baseUrl: url, retry: { retries: 1, ...noSleep } })).rejects.toThrow(
      new RegExp(`cannot list the models of ${url.replace(/[.]/g, '\\.')}/v1.*ECONNREFUSED`),
    );
  });
});
