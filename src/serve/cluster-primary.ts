/**
 * Service processes on one port (node:cluster): the primary forks the workers, waits until each
 * listens, restarts a worker that dies, and on SIGTERM/SIGINT asks every worker to stop gracefully
 * and waits for them. `vla-r1 serve reward` runs this way by default, with one worker, because:
 *
 * - a worker that crashes is replaced;
 * - the worker gets V8 flags a CLI cannot set on itself: a larger young generation
 *   (`--max-semi-space-size=64`). Scoring allocates many short-lived objects; with 64 concurrent
 *   connections the default 16 MB semi-space made the service spend about 30% more CPU per reward
 *   (measured: 8.0 → 5.7–6.4 µs CPU per reward at batch 256; setting the flag at run time with
 *   `v8.setFlagsFromString` has no effect).
 *
 * With one worker the worker accepts connections itself (`SCHED_NONE`: no hand-off through the
 * primary); with several, the primary spreads connections round robin.
 *
 * One process scores on one core; on a machine with more cores, `--workers N` multiplies throughput
 * (the kernel's connections are spread round robin by the primary). Across machines, start one
 * service per machine and give the trainer every URL (OpenRLHF shards a batch over comma-separated
 * URLs; the verl client does the same with `VLA_R1_REWARD_URL`).
 *
 * The worker side: a worker runs the normal service, reports `{type: 'listening', url}` with
 * `process.send`, and stops gracefully on the message `{type: 'shutdown'}` (as on SIGTERM).
 *
 * @module
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';

/** Messages between the primary and its workers. */
export type ClusterMessage = { type: 'listening'; url: string } | { type: 'shutdown' };

/** Options of {@link runClusterPrimary}. */
export interface ClusterPrimaryOptions {
  readonly workers: number;
  /** Node flags of the workers (see {@link serviceExecArgv}). */
  readonly execArgv: readonly string[];
  /** Called once, when every worker listens. */
  readonly onListening: (url: string) => void;
  readonly log: (line: string) => void;
  /** Lifecycle lines (restarts are always logged). */
  readonly verbose: boolean;
}

/** The young-generation size the service's workers get unless the user set one. */
export const SERVICE_SEMI_SPACE_MB = 64;

/**
 * The Node flags of a service worker: the primary's own flags, plus `--max-semi-space-size` unless the user
 * already chose one (on the command line or in `NODE_OPTIONS`).
 *
 * @example
 * serviceExecArgv([], undefined); // ['--max-semi-space-size=64']
 * serviceExecArgv([], '--max-semi-space-size=16'); // []
 */
export function serviceExecArgv(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const chosen = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((flag) => /^--max[-_]semi[-_]space[-_]size/.test(flag));
  return chosen ? [...execArgv] : [...execArgv, `--max-semi-space-size=${SERVICE_SEMI_SPACE_MB}`];
}

function isListening(message: unknown): message is { type: 'listening'; url: string } {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'listening';
}

/**
 * Fork and supervise the workers until a signal stops them. Resolves with the exit code the primary
 * should use: 0 after a graceful stop, the failing worker's code when one cannot start.
 */
export function runClusterPrimary(options: ClusterPrimaryOptions): Promise<number> {
  return new Promise<number>((resolve) => {
    const workers = new Set<Worker>();
    let listening = 0;
    let started = false;
    let stopping = false;
    let failedCode = 0;

    const stopAll = (): void => {
      if (stopping) return;
      stopping = true;
      for (const worker of workers) {
        if (worker.isConnected()) worker.send({ type: 'shutdown' } satisfies ClusterMessage);
        else worker.process.kill('SIGTERM');
      }
    };
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        options.log(`${signal} again: killing the workers`);
        for (const worker of workers) worker.process.kill('SIGKILL');
        return;
      }
      if (options.verbose) options.log(`${signal}: stopping ${workers.size} worker(s)`);
      stopAll();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    const fork = (): void => {
      const worker = cluster.fork();
      workers.add(worker);
      worker.on('message', (message: unknown) => {
        if (!isListening(message) || started) return;
        listening += 1;
        if (listening === options.workers) {
          started = true;
          options.onListening(message.url);
          if (stopping) stopAll();
        }
      });
      worker.on('exit', (code, signal) => {
        workers.delete(worker);
        if (!started && !stopping) {
          // A worker that cannot start (port taken, bad host): stop the others and report its code.
          failedCode = code ?? 1;
          stopAll();
        } else if (!stopping) {
          options.log(`worker ${worker.process.pid ?? '?'} died (${signal ?? `code ${String(code)}`}); starting another`);
          fork();
        }
        if (workers.size === 0 && stopping) {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
          resolve(failedCode);
        }
      });
    };
    // One worker accepts its connections itself; several share them round robin through the primary.
    cluster.schedulingPolicy = options.workers === 1 ? cluster.SCHED_NONE : cluster.SCHED_RR;
    cluster.setupPrimary({ execArgv: [...options.execArgv] });
    for (let i = 0; i < options.workers; i++) fork();
  });
}
