/**
 * `vla-r1 serve reward` as a process: start-up line, token from the environment, clear errors, and a graceful
 * SIGTERM (in-flight requests finish, exit code 0). Runs the compiled CLI (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { probe } from '../src/serve/http-probe.js';

const cli = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
const GT = '<think>gt</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4], [0.5, 0.5]]</output>';
const ANSWER = '<think>a</think> so, the answer is <output>[[0.1, 0.25], [0.3, 0.45], [0.5, 0.6]]</output>';

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string> = {}): Promise<Running> {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [cli, 'serve', 'reward', '--port', '0', ...args], {
    env: { ...process.env, VLA_R1_REWARD_TOKEN: '', ...env },
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise<Running>((resolve, reject) => {
    const onData = (): void => {
      const match = /listening on (http:\/\/\S+) /.exec(out);
      if (match?.[1] !== undefined) {
        child.stdout.off('data', onData);
        resolve({ child, url: match[1], stdout: () => out, stderr: () => err, exited });
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`exited with ${String(code)} before listening: ${err}`)));
  });
}

describe('vla-r1 serve reward (process)', () => {
  it('prints its URL on stdout, serves, and on SIGTERM finishes the in-flight batch and exits 0', async () => {
    const service = await start([]);
    expect(service.stdout()).toMatch(
      /^vla-r1 reward service listening on http:\/\/127\.0\.0\.1:\d+ \(POST \/get_reward, POST \/v1\/reward, GET \/health\)\n$/,
    );
    const heavy = Array.from({ length: 20_000 }, () => ({ response: ANSWER, ground_truth: GT }));
    const inFlight = probe(`${service.url}/v1/reward`, { body: heavy });
    let scoring = false;
    for (let i = 0; i < 2000 && !scoring; i++) {
      scoring = (JSON.parse((await probe(`${service.url}/health`)).text) as { scoring: number }).scoring === 1;
    }
    expect(scoring).toBe(true);
    service.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    const items = JSON.parse(res.text) as { score: number }[];
    expect(items.length).toBe(heavy.length);
    expect(new Set(items.map((item) => item.score)).size).toBe(1);
    expect(await service.exited).toBe(0);
    // the supervisor passes the signal on; the worker finishes its in-flight request
    expect(service.stderr()).toMatch(/^vla-r1 serve reward: SIGTERM: stopping 1 worker\(s\)$/m);
    expect(service.stderr()).toMatch(/^vla-r1 serve reward \[\d+\]: shutdown: stopping \(finishing 1 in-flight request\(s\)\)$/m);
    expect(service.stderr()).toMatch(/^vla-r1 serve reward \[\d+\]: stopped after \d+ request\(s\), 20000 item\(s\) scored$/m);
  });

  it('--workers 0 serves in the CLI process itself, with the same graceful SIGTERM', async () => {
    const service = await start(['--workers', '0']);
    const health = JSON.parse((await probe(`${service.url}/health`)).text) as { pid: number };
    expect(health.pid).toBe(service.child.pid);
    const res = await probe(`${service.url}/v1/reward`, { body: [{ response: ANSWER, ground_truth: GT }] });
    expect(res.status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.stderr()).toBe(
      'vla-r1 serve reward: SIGTERM: stopping (finishing 0 in-flight request(s))\n' +
        'vla-r1 serve reward: stopped after 2 request(s), 1 item(s) scored\n',
    );
  });

  it('runs its worker with a larger young generation (--max-semi-space-size=64)', async () => {
    const service = await start(['--quiet']);
    const health = JSON.parse((await probe(`${service.url}/health`)).text) as { pid: number };
    expect(health.pid).not.toBe(service.child.pid);
    const cmdline = readFileSync(`/proc/${health.pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toContain('--max-semi-space-size=64');
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  });

  it('reads the token from VLA_R1_REWARD_TOKEN', async () => {
    const service = await start(['--quiet'], { VLA_R1_REWARD_TOKEN: 'env-token' });
    expect(service.stdout()).toMatch(/, token required\n$/);
    const body = [{ response: ANSWER, ground_truth: GT }];
    expect((await probe(`${service.url}/v1/reward`, { body })).status).toBe(401);
    expect((await probe(`${service.url}/v1/reward`, { body, headers: { Authorization: 'Bearer env-token' } })).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.stderr()).toBe('');
  });

  it('says which port is taken, and exits 2', async () => {
    const first = await start(['--quiet']);
    const port = new URL(first.url).port;
    const second = spawn(process.execPath, [cli, 'serve', 'reward', '--port', port]);
    children.push(second);
    let err = '';
    second.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toBe(`vla-r1: --port ${port}: already in use on 127.0.0.1\n`);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });

  it('--workers 2: one port, two processes, a killed worker is replaced, SIGTERM stops them all with exit 0', async () => {
    const service = await start(['--workers', '2']);
    expect(service.stdout()).toMatch(/, 2 workers\n$/);
    const pidsSeen = async (): Promise<Set<number>> => {
      const pids = new Set<number>();
      for (let i = 0; i < 40 && pids.size < 2; i++) {
        pids.add((JSON.parse((await probe(`${service.url}/health`)).text) as { pid: number }).pid);
      }
      return pids;
    };
    const before = await pidsSeen();
    expect(before.size).toBe(2);
    const [victim] = [...before];
    process.kill(victim as number, 'SIGKILL');
    let after = new Set<number>();
    for (let i = 0; i < 100 && !(after.size === 2 && !after.has(victim as number)); i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = await pidsSeen().catch(() => new Set<number>());
    }
    expect(after.size).toBe(2);
    expect(after.has(victim as number)).toBe(false);
    expect(service.stderr()).toMatch(new RegExp(`worker ${String(victim)} died \\(SIGKILL\\); starting another`));
    const res = await probe(`${service.url}/v1/reward`, { body: [{ response: ANSWER, ground_truth: GT }] });
    expect(res.status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.stderr()).toMatch(/SIGTERM: stopping 2 worker\(s\)/);
  });

  it('--workers 2 on a taken port: exits 2 with the message of the worker', async () => {
    const first = await start(['--quiet']);
    const port = new URL(first.url).port;
    const second = spawn(process.execPath, [cli, 'serve', 'reward', '--port', port, '--workers', '2', '--quiet']);
    children.push(second);
    let err = '';
    second.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain(`vla-r1: --port ${port}: already in use on 127.0.0.1\n`);
    expect(err).not.toContain('died');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  });
});
