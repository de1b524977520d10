/**
 * An experimental bridge that lets jax-js run its wasm kernels on several threads in Node.
 *
 * jax-js starts a Web Worker pool only when `Worker` and `SharedArrayBuffer` exist, and it decides
 * whether its wasm memory is shared when `@jax-js/jax` is first evaluated. Node 20 has no Web `Worker`,
 * so this module defines one on top of `worker_threads` (reading the worker source from the Blob URL
 * jax-js creates) and sets `navigator.hardwareConcurrency`. It must therefore be evaluated **before**
 * `@jax-js/jax`: `src/model/jax.ts` imports it first, and every model module imports jax through that file.
 *
 * Threads are used only by the asynchronous paths (`await array.data()`, `blockUntilReady`); the
 * model code never reads synchronously. The thread count comes from `VLA_R1_THREADS` (default: 1, i.e.
 * no workers, because a worker pool makes small kernels slower; see bench/model.ts).
 *
 * @example
 * // VLA_R1_THREADS=2 node dist/src/cli/main.js train sft …
 */
import { Worker as NodeWorker } from 'node:worker_threads';

const PRELUDE = `
const { parentPort } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (message) => parentPort.postMessage(message);
parentPort.on('message', (data) => { if (typeof self.onmessage === 'function') self.onmessage({ data }); });
`;

const blobs = new Map<string, Blob>();
const started: NodeWorker[] = [];

/** A Web-Worker-shaped wrapper over a `worker_threads` Worker whose script comes from a Blob URL. */
class BlobWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  #worker: NodeWorker | undefined;
  #pending: unknown[] = [];

  constructor(url: string | URL) {
    const blob = blobs.get(String(url));
    if (!blob) throw new Error(`worker-shim: unknown worker URL ${String(url)}`);
    void blob.text().then(
      (source) => {
        const worker = new NodeWorker(PRELUDE + source, { eval: true });
        started.push(worker);
        worker.on('message', (data: unknown) => this.onmessage?.({ data }));
        worker.on('error', (error: Error) => this.onerror?.({ message: error.message }));
        this.#worker = worker;
        for (const message of this.#pending) worker.postMessage(message);
        this.#pending = [];
      },
      (error: unknown) => this.onerror?.({ message: String(error) }),
    );
  }

  postMessage(message: unknown): void {
    if (this.#worker) this.#worker.postMessage(message);
    else this.#pending.push(message);
  }

  terminate(): void {
    void this.#worker?.terminate();
  }
}

/** The number of jax-js worker threads requested through `VLA_R1_THREADS` (1 = none). */
export function requestedThreads(): number {
  const raw = process.env.VLA_R1_THREADS;
  const n = raw === undefined || raw === '' ? 1 : Number.parseInt(raw, 10);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}

/** Stop the worker threads (if any) so the process can exit. Safe to call more than once. */
export async function stopWorkerThreads(): Promise<void> {
  const workers = started.splice(0);
  await Promise.all(workers.map((w) => w.terminate()));
}

const threads = requestedThreads();
const g = globalThis as unknown as { Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
if (threads > 1 && g.Worker === undefined) {
  const original = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (obj: Blob) => {
    const url = original(obj);
    blobs.set(url, obj);
    return url;
  };
  g.Worker = BlobWorker;
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { hardwareConcurrency: threads }, configurable: true });
  } else {
    Object.defineProperty(g.navigator, 'hardwareConcurrency', { value: threads, configurable: true });
  }
}
