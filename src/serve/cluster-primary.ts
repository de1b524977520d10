/**
 * Several service processes on one port (node:cluster): the primary forks the workers, waits until
 * each listens, restarts a worker that dies, and on SIGTERM/SIGINT asks every worker to stop
 * gracefully and waits for them.
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
  /** Called once, when every worker listens. */
  readonly onListening: (url: string) => void;
  readonly log: (line: string) => void;
  /** Lifecycle lines (restarts are always logged). */
  readonly verbose: boolean;
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
    for (let i = 0; i < options.workers; i++) fork();
  });
}
