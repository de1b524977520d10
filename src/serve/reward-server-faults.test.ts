import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeScore } from '../rewards/index.js';
import { probe } from './http-probe.js';
import { startRewardServer } from './reward-server.js';
import type { RewardServer } from './reward-server.js';

const GT = '<think>gt</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>';
const ANSWER = '<think>a</think> so, the answer is <output>{"x": 0.55, "y": 0.5, "width": 0.2, "height": 0.25}</output>';

/** The service still answers a real request correctly. */
async function stillServes(service: RewardServer, headers: Record<string, string> = {}): Promise<void> {
  const res = await probe(`${service.url}/v1/reward`, { body: [{ response: ANSWER, ground_truth: GT }], headers });
  expect(res.status).toBe(200);
  const [item] = JSON.parse(res.text) as [{ score: number }];
  expect(item.score).toBe(computeScore(ANSWER, GT).score);
}

/** Open a raw TCP connection to the service. */
function rawConnect(service: RewardServer): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(service.port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
function readUntilClose(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
}

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe('reward service under bad input', () => {
  let service: RewardServer;
  beforeAll(async () => {
    service = await startRewardServer({ port: 0, headersTimeoutMs: 300, requestTimeoutMs: 600 });
  });
  afterAll(async () => {
    await service.close(100);
  });

  it('answers malformed JSON with 400 and keeps serving', async () => {
    const res = await probe(`${service.url}/v1/reward`, { body: '[{"response": "a", "ground_truth": ' });
    expect(res.status).toBe(400);
    expect(String(json(res.text).error)).toMatch(/^body: invalid JSON: /);
    await stillServes(service);
  });

  it('answers an empty body with 400', async () => {
    const res = await probe(`${service.url}/get_reward`, { body: '' });
    expect(res.status).toBe(400);
    expect(json(res.text).error).toBe('body: empty; expected a JSON document');
  });

  it('answers wrong types with 400 naming the field, in both formats', async () => {
    const a = await probe(`${service.url}/get_reward`, { body: { query: ['q'], prompts: [''], labels: [null] } });
    expect(a.status).toBe(400);
    expect(json(a.text)).toEqual({
      error: 'labels[0]: expected string, received null',
      issues: [{ field: 'labels[0]', message: 'expected string, received null' }],
    });
    const b = await probe(`${service.url}/v1/reward`, { body: [{ response: ANSWER, ground_truth: GT }, { response: 7, ground_truth: GT }] });
    expect(b.status).toBe(400);
    expect(json(b.text).error).toBe('body[1].response: expected string, received number');
    const c = await probe(`${service.url}/v1/reward`, { body: { response: ANSWER, ground_truth: GT } });
    expect(json(c.text).error).toBe('body: expected array, received object');
    await stillServes(service);
  });

  it('refuses a 12 MB body with 413, declared or chunked, and keeps serving', async () => {
    const big = Buffer.alloc(12 * 1024 * 1024, 0x20);
    const declared = await probe(`${service.url}/v1/reward`, { body: big });
    expect(declared.status).toBe(413);
    expect(json(declared.text).error).toBe('body: larger than the limit of 8388608 bytes (raise it with --body-limit)');
    expect(declared.headers.connection).toBe('close');

    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(`${service.url}/v1/reward`, { method: 'POST', agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const piece = Buffer.alloc(256 * 1024, 0x20);
      let sent = 0;
      const pump = (): void => {
        while (sent < big.length) {
          sent += piece.length;
          if (!req.write(piece)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(chunked).toBe(413);
    await stillServes(service);
  });

  it('refuses an oversized body announced with Expect: 100-continue before it is sent', async () => {
    const socket = await rawConnect(service);
    const answer = readUntilClose(socket);
    socket.write(`POST /v1/reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${12 * 1024 * 1024}\r\nExpect: 100-continue\r\n\r\n`);
    const text = await answer;
    expect(text.startsWith('HTTP/1.1 413 ')).toBe(true);
    expect(text).not.toContain('100 Continue');
  });

  it('answers 100 Continue and then the result for an acceptable Expect request', async () => {
    const socket = await rawConnect(service);
    const answer = readUntilClose(socket);
    const body = JSON.stringify([{ response: ANSWER, ground_truth: GT }]);
    socket.write(
      `POST /v1/reward HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    socket.once('data', () => socket.write(body));
    const text = await answer;
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n')).toBe(true);
    expect(text).toContain('HTTP/1.1 200 OK');
    expect(text).toContain(`"score":${computeScore(ANSWER, GT).score}`);
  });

  it('cuts off a client that sends its headers too slowly (slowloris) while serving others', async () => {
    const socket = await rawConnect(service);
    const answer = readUntilClose(socket);
    socket.write('POST /v1/reward HTTP/1.1\r\nHost: x\r\n');
    const drip = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 50);
    await stillServes(service); // others are served meanwhile
    const text = await answer;
    clearInterval(drip);
    expect(text.startsWith('HTTP/1.1 408 ')).toBe(true);
    await stillServes(service);
  });

  it('cuts off a client that sends its body too slowly', async () => {
    const socket = await rawConnect(service);
    const answer = readUntilClose(socket);
    socket.write('POST /v1/reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[');
    const drip = setInterval(() => socket.writable && socket.write(' '), 50);
    const text = await answer;
    clearInterval(drip);
    expect(text.startsWith('HTTP/1.1 408 ')).toBe(true);
    await stillServes(service);
  });

  it('survives connections dropped mid-headers, mid-body and mid-scoring', async () => {
    const midHeaders = await rawConnect(service);
    midHeaders.write('POST /v1/reward HTTP/1.1\r\nHost: x\r\nContent-Le');
    midHeaders.destroy();

    const midBody = await rawConnect(service);
    midBody.write('POST /get_reward HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{"query": ["');
    await new Promise((r) => setTimeout(r, 20));
    midBody.destroy();

    const heavy = JSON.stringify(Array.from({ length: 20_000 }, () => ({ response: ANSWER, ground_truth: GT })));
    const midScoring = await rawConnect(service);
    midScoring.write(`POST /v1/reward HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(heavy)}\r\n\r\n`);
    midScoring.write(heavy);
    for (let i = 0; i < 400 && service.stats.scoring === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(service.stats.scoring).toBe(1);
    midScoring.destroy();
    for (let i = 0; i < 400 && service.stats.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(service.stats.inFlight).toBe(0); // the abandoned batch stopped early

    await stillServes(service);
  });

  it('answers a malformed request line with 400', async () => {
    const socket = await rawConnect(service);
    const answer = readUntilClose(socket);
    socket.write('THIS IS NOT HTTP\r\n\r\n');
    expect((await answer).startsWith('HTTP/1.1 400 Bad Request')).toBe(true);
    await stillServes(service);
  });

  it('answers 431 to headers larger than 16 KiB', async () => {
    const socket = await rawConnect(service);
    const answer = readUntilClose(socket);
    socket.write(`POST /v1/reward HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect((await answer).startsWith('HTTP/1.1 431 Request Header Fields Too Large')).toBe(true);
    await stillServes(service);
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const missing = await probe(`${service.url}/reward`, { body: [] });
    expect(missing.status).toBe(404);
    expect(json(missing.text).error).toBe('no such endpoint: /reward (try POST /get_reward, POST /v1/reward, GET /health)');
    const wrong = await probe(`${service.url}/get_reward`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(json(wrong.text).error).toBe('/get_reward accepts POST, not GET');
    const health = await probe(`${service.url}/health`, { method: 'POST', body: {} });
    expect(health.status).toBe(405);
    expect(health.headers.allow).toBe('GET, HEAD');
    await stillServes(service);
  });
});

describe('reward service with a token', () => {
  let service: RewardServer;
  const token = 'tok-3f9a';
  beforeAll(async () => {
    service = await startRewardServer({ port: 0, token });
  });
  afterAll(async () => {
    await service.close(100);
  });

  it('answers 401 without a token or with a wrong one', async () => {
    const body = [{ response: ANSWER, ground_truth: GT }];
    const attempts: Record<string, string>[] = [{}, { Authorization: 'Bearer nope' }, { Authorization: `Basic ${token}` }];
    for (const headers of attempts) {
      const res = await probe(`${service.url}/v1/reward`, { body, headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(json(res.text).error).toBe('missing or wrong bearer token (Authorization: Bearer TOKEN)');
    }
    const openrlhf = await probe(`${service.url}/get_reward?token=nope`, { body: { query: [], prompts: [], labels: [] } });
    expect(openrlhf.status).toBe(401);
  });

  it('accepts the bearer header or the token query parameter; health needs none', async () => {
    await stillServes(service, { Authorization: `Bearer ${token}` });
    const res = await probe(`${service.url}/get_reward?token=${token}`, { body: { query: [ANSWER], prompts: [''], labels: [GT] } });
    expect(res.status).toBe(200);
    expect((json(res.text).rewards as number[])[0]).toBe(computeScore(ANSWER, GT).score);
    expect((await probe(`${service.url}/health`)).status).toBe(200);
  });
});
