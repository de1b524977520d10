/**
 * `vla-r1 serve`: HTTP services. `serve reward` serves the VLA-R1 verifiable reward to trainers
 * (OpenRLHF's `/get_reward`, our `/v1/reward`, `/health`). `serve policy` serves a local checkpoint behind an
 * OpenAI-compatible API (`/v1/chat/completions`, `/v1/models`, `/health`), batching concurrent requests.
 *
 * @module
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { UserError } from '../../errors.js';

interface ServeRewardOptions {
  host: string;
  port: number;
  token?: string;
  bodyLimit: number;
  lambdaAngle: number;
  lambdaLength: number;
  headersTimeout: number;
  requestTimeout: number;
  shutdownGrace: number;
  workers: number;
  quiet?: boolean;
}

/**
 * Parse a byte size: a plain number of bytes or a number with a `k`/`m`/`g` suffix (binary units,
 * optional trailing `b`/`ib`, case-insensitive).
 *
 * @example
 * parseByteSize('8m'); // 8388608
 * parseByteSize('512KiB'); // 524288
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(text);
  if (match === null) throw new InvalidArgumentError(`expected a size such as 8388608, 512k or 8m, got "${text}"`);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase()] ?? 1;
  const bytes = Math.floor(Number(match[1]) * scale);
  if (bytes < 1) throw new InvalidArgumentError(`the size must be at least 1 byte, got "${text}"`);
  return bytes;
}

function parseNumber(flag: string, { integer = false, min = 0, max = Number.MAX_SAFE_INTEGER } = {}) {
  return (text: string): number => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
      throw new InvalidArgumentError(`${flag} must be ${integer ? 'an integer' : 'a number'} ${range}, got "${text}"`);
    }
    return n;
  };
}

function announceLine(url: string, token: string | undefined, workers: number): string {
  const extras = [workers > 1 ? `${workers} workers` : '', token ? 'token required' : ''].filter((x) => x !== '');
  return `vla-r1 reward service listening on ${url} (POST /get_reward, POST /v1/reward, GET /health)${extras.map((x) => `, ${x}`).join('')}\n`;
}

async function serveReward(options: ServeRewardOptions): Promise<void> {
  const { REWARD_TOKEN_ENV } = await import('../../serve/bearer-auth.js');
  const { isLoopbackHost } = await import('../../serve/reward-server.js');
  const { default: cluster } = await import('node:cluster');
  const token = options.token ?? (process.env[REWARD_TOKEN_ENV] || undefined);
  if (token !== undefined && token.trim() === '') throw new UserError('--token: empty token');
  const log = (line: string): void => {
    process.stderr.write(`vla-r1 serve reward${cluster.isWorker ? ` [${process.pid}]` : ''}: ${line}\n`);
  };
  if (cluster.isPrimary && !isLoopbackHost(options.host) && token === undefined) {
    log(`warning: listening on ${options.host} without a token: anyone who can reach this port can use it (set --token or ${REWARD_TOKEN_ENV})`);
  }
  if (options.workers >= 1 && cluster.isPrimary) {
    const { runClusterPrimary, serviceExecArgv } = await import('../../serve/cluster-primary.js');
    const code = await runClusterPrimary({
      workers: options.workers,
      execArgv: serviceExecArgv(process.execArgv, process.env.NODE_OPTIONS),
      log,
      verbose: options.quiet !== true,
      onListening: (url) => process.stdout.write(announceLine(url, token, options.workers)),
    });
    // A worker that could not start has said why on stderr already.
    if (code !== 0) process.exitCode = code;
    return;
  }
  await serveOneProcess(options, token, log, cluster.worker);
}

/** One service in this process; in a cluster worker, it reports to the primary instead of printing. */
async function serveOneProcess(
  options: ServeRewardOptions,
  token: string | undefined,
  log: (line: string) => void,
  worker: { disconnect(): void } | undefined,
): Promise<void> {
  const inWorker = worker !== undefined;
  const { startRewardServer } = await import('../../serve/reward-server.js');
  // Stop requests are accepted before the URL line is printed: whoever reads that line may signal at once.
  let service: Awaited<ReturnType<typeof startRewardServer>> | undefined;
  let stopRequested: string | undefined;
  let signals = 0;
  let stopped: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    stopped = resolve;
  });
  let stopping = false;
  const stop = (reason: string): void => {
    stopRequested ??= reason;
    if (service === undefined || stopping) return; // not listening yet: handled right after start-up
    stopping = true;
    const running = service;
    if (!options.quiet) log(`${reason}: stopping (finishing ${running.stats.inFlight} in-flight request(s))`);
    running.close(options.shutdownGrace).then(() => {
      if (!options.quiet) log(`stopped after ${running.stats.requests} request(s), ${running.stats.itemsScored} item(s) scored`);
      stopped();
    }, stopped);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) stop(signal);
    else if (service !== undefined) {
      log(`${signal} again: closing all connections now`);
      service.server.closeAllConnections();
    }
  };
  const onMessage = (message: unknown): void => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'shutdown') stop('shutdown');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (inWorker) process.on('message', onMessage);
  try {
    try {
      service = await startRewardServer({
        host: options.host,
        port: options.port,
        token,
        bodyLimitBytes: options.bodyLimit,
        headersTimeoutMs: options.headersTimeout,
        requestTimeoutMs: options.requestTimeout,
        rewardOptions: { lambdaAngle: options.lambdaAngle, lambdaLength: options.lambdaLength },
        log,
      });
    } catch (error: unknown) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new UserError(`--port ${options.port}: already in use on ${options.host}`);
      if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`--host ${options.host}: not an address of this machine`);
      if (e.code === 'EACCES') throw new UserError(`--port ${options.port}: permission denied`);
      throw error;
    }
    if (inWorker) process.send?.({ type: 'listening', url: service.url });
    // The URL line goes to stdout (scripts and tests read it); everything else to stderr.
    else process.stdout.write(announceLine(service.url, token, 1));
    if (stopRequested !== undefined) stop(stopRequested);
    await done;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    if (inWorker) {
      process.off('message', onMessage);
      // The IPC channel would keep the worker alive. (process.disconnect() would exit(0) at once, losing the exit code.)
      worker.disconnect();
    }
  }
}

interface ServePolicyOptions {
  checkpoint: string;
  host: string;
  port: number;
  token?: string;
  maxBatch: number;
  batchWindow: number;
  modelName: string;
  bodyLimit: number;
  shutdownGrace: number;
  quiet?: boolean;
}

/** The environment variable `serve policy` reads its token from. */
export const POLICY_TOKEN_ENV = 'VLA_R1_POLICY_TOKEN';

/** Serve a checkpoint in this process until SIGTERM/SIGINT (a second signal cuts open connections). */
async function servePolicy(options: ServePolicyOptions): Promise<void> {
  const { createLocalPolicy } = await import('../../policy/local.js');
  const { isLoopbackHost, startPolicyServer } = await import('../../serve/policy-server.js');
  const token = options.token ?? (process.env[POLICY_TOKEN_ENV] || undefined);
  if (token !== undefined && token.trim() === '') throw new UserError('--token: empty token');
  const log = (line: string): void => {
    process.stderr.write(`vla-r1 serve policy: ${line}\n`);
  };
  if (!isLoopbackHost(options.host) && token === undefined) {
    log(`warning: listening on ${options.host} without a token: anyone who can reach this port can use it (set --token or ${POLICY_TOKEN_ENV})`);
  }
  const policy = await createLocalPolicy(options.checkpoint, { batchSize: options.maxBatch });
  let service: Awaited<ReturnType<typeof startPolicyServer>>;
  try {
    service = await startPolicyServer({
      policy,
      modelName: options.modelName,
      host: options.host,
      port: options.port,
      token,
      maxBatch: options.maxBatch,
      batchWindowMs: options.batchWindow,
      bodyLimitBytes: options.bodyLimit,
      log,
    });
  } catch (error: unknown) {
    await policy.close();
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new UserError(`--port ${options.port}: already in use on ${options.host}`);
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') throw new UserError(`--host ${options.host}: not an address of this machine`);
    if (e.code === 'EACCES') throw new UserError(`--port ${options.port}: permission denied`);
    throw error;
  }
  const running = service;
  let signals = 0;
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    onSignal = (signal) => {
      signals += 1;
      if (signals > 1) {
        log(`${signal} again: closing all connections now`);
        running.server.closeAllConnections();
        return;
      }
      if (!options.quiet) log(`${signal}: stopping (finishing ${running.stats.inFlight} in-flight request(s))`);
      running.close(options.shutdownGrace).then(resolve, resolve);
    };
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The URL line goes to stdout (scripts and tests read it); everything else to stderr.
  process.stdout.write(
    `vla-r1 policy service listening on ${running.url} (model ${options.modelName}; POST /v1/chat/completions, GET /v1/models, GET /health)${token ? ', token required' : ''}\n`,
  );
  try {
    await stopped;
    if (!options.quiet) {
      log(`stopped after ${running.stats.requests} request(s), ${running.stats.completions} completion(s) in ${running.batcher.stats.batches} batch(es)`);
    }
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await policy.close();
  }
}

/**
 * Register `vla-r1 serve` and its subcommands.
 *
 * @example
 * // $ vla-r1 serve reward --port 5000 --token "$(openssl rand -hex 16)"
 */
export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('HTTP services: the verifiable reward for trainers (verl, OpenRLHF), a local policy behind an OpenAI-compatible API');
  serve
    .command('reward')
    .description(
      'Serve the VLA-R1 reward: POST /get_reward (OpenRLHF {query, prompts, labels}), POST /v1/reward ' +
        '([{response, ground_truth, options?}]), GET /health. Loopback only unless --host says otherwise',
    )
    .option('--host <address>', 'interface to bind (0.0.0.0 = every interface: use a token)', '127.0.0.1')
    .option('--port <number>', 'port (0 = any free port)', parseNumber('--port', { integer: true, max: 65535 }), 5000)
    .option('--token <token>', 'require Authorization: Bearer TOKEN (or ?token=TOKEN); default $VLA_R1_REWARD_TOKEN')
    .option('--body-limit <size>', 'largest request body, e.g. 8m, 512k, 1048576', parseByteSize, 8 * 1024 * 1024)
    .option('--lambda-angle <number>', 'λθ, weight of the direction term of ALAF', parseNumber('--lambda-angle'), 0.25)
    .option('--lambda-length <number>', 'λr, weight of the length-ratio term of ALAF', parseNumber('--lambda-length'), 0.1)
    .option('--headers-timeout <ms>', 'time a client has to send its headers', parseNumber('--headers-timeout', { integer: true, min: 1 }), 10_000)
    .option('--request-timeout <ms>', 'time a client has to send its whole request', parseNumber('--request-timeout', { integer: true, min: 1 }), 120_000)
    .option('--shutdown-grace <ms>', 'on SIGTERM, how long in-flight requests may take before connections are cut', parseNumber('--shutdown-grace', { integer: true }), 10_000)
    .option(
      '--workers <n>',
      'service processes sharing the port, one core each, restarted if they die (0 = serve in this process, unsupervised)',
      parseNumber('--workers', { integer: true, min: 0, max: 256 }),
      1,
    )
    .option('-q, --quiet', 'no lifecycle lines on stderr')
    .action(async (options: ServeRewardOptions) => {
      await serveReward(options);
    });
  serve
    .command('policy')
    .description(
      'Serve a local checkpoint behind an OpenAI-compatible API: POST /v1/chat/completions (one user message: ' +
        'the prompt text and a data: image), GET /v1/models, GET /health. Concurrent requests are batched',
    )
    .requiredOption('--checkpoint <dir>', 'checkpoint folder (or a training run folder holding checkpoint/)')
    .option('--host <address>', 'interface to bind (0.0.0.0 = every interface: use a token)', '127.0.0.1')
    .option('--port <number>', 'port (0 = any free port)', parseNumber('--port', { integer: true, max: 65535 }), 8000)
    .option('--token <token>', `require Authorization: Bearer TOKEN; default $${POLICY_TOKEN_ENV}`)
    .option('--max-batch <n>', 'most answers generated in one batch', parseNumber('--max-batch', { integer: true, min: 1, max: 4096 }), 32)
    .option('--batch-window <ms>', 'how long an idle service waits for more requests to batch', parseNumber('--batch-window', { max: 1000 }), 5)
    .option('--model-name <id>', 'the model id clients send and GET /v1/models lists', 'vla-r1')
    .option('--body-limit <size>', 'largest request body, e.g. 32m', parseByteSize, 32 * 1024 * 1024)
    .option('--shutdown-grace <ms>', 'on SIGTERM, how long in-flight requests may take before connections are cut', parseNumber('--shutdown-grace', { integer: true }), 10_000)
    .option('-q, --quiet', 'no lifecycle lines on stderr')
    .action(async (options: ServePolicyOptions) => {
      await servePolicy(options);
    });
}
