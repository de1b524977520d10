/**
 * One entry point for every policy backend, chosen by `kind` (the CLI's `--policy`):
 *
 * - `openai`: an OpenAI-compatible chat-completions server (vLLM, SGLang, llama.cpp, Ollama…), see `openai.ts`;
 * - `vla-r1-server`: the official VLA-R1 FastAPI server, see `vla-r1-server.ts`;
 * - `local`: the in-process model (`createLocalPolicy` of `local.ts`, loaded lazily so HTTP users never load
 *   the model engine).
 */
import { UserError } from '../errors.js';
import { createOpenAiPolicy } from './openai.js';
import type { RetryOptions } from './retry.js';
import type { GenerateOptions, Policy } from './types.js';
import { createVlaR1ServerPolicy } from './vla-r1-server.js';

/** The policy backends. */
export type PolicyKind = 'openai' | 'vla-r1-server' | 'local';

/** All backends, for flag validation. */
export const POLICY_KINDS: readonly PolicyKind[] = ['openai', 'vla-r1-server', 'local'];

/** Options of {@link createPolicy}; each backend reads the fields it understands. */
export interface PolicyOptions {
  readonly kind: PolicyKind;
  /** Server URL (openai: the API base, `/v1` added when the URL has no path; vla-r1-server: the server root). */
  readonly baseUrl?: string;
  /** openai: the served model (default: the first of `GET /models`). */
  readonly model?: string;
  /** openai: bearer token. */
  readonly apiKey?: string;
  /** Extra HTTP headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time limit of one request, ms (openai default 300 s, vla-r1-server 600 s). */
  readonly timeoutMs?: number;
  /** HTTP retries of timeouts, network failures, 429 and 5xx (default 4). */
  readonly retries?: number;
  /** Further retry settings (tests inject `sleep`). */
  readonly retry?: Partial<RetryOptions>;
  /** openai: sampling defaults (the runner also passes them per call). The official server's sampling is fixed. */
  readonly sampling?: Omit<GenerateOptions, 'signal'>;
  /** openai: extra JSON fields of every request body. */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** openai: put a separate `reasoning_content` back as `<think>…</think>`. */
  readonly reasoningAsThink?: boolean;
  /** vla-r1-server: JPEG quality of the uploaded frame (default 90). */
  readonly jpegQuality?: number;
  /** local: the checkpoint folder. */
  readonly checkpoint?: string;
}

function requireBaseUrl(options: PolicyOptions): string {
  if (!options.baseUrl) {
    const example = options.kind === 'openai' ? 'http://127.0.0.1:8000/v1' : 'http://127.0.0.1:8000';
    throw new UserError(`--policy ${options.kind} needs --base-url (e.g. ${example})`);
  }
  return options.baseUrl;
}

/**
 * Create the policy `options.kind` names.
 *
 * @throws UserError when a needed option is missing or the server cannot be reached for model discovery.
 * @example
 * const policy = await createPolicy({ kind: 'openai', baseUrl: 'http://127.0.0.1:8000/v1', sampling: { temperature: 0 } });
 * const official = await createPolicy({ kind: 'vla-r1-server', baseUrl: 'http://127.0.0.1:8000' });
 * const local = await createPolicy({ kind: 'local', checkpoint: 'runs/demo/grpo' });
 */
export async function createPolicy(options: PolicyOptions): Promise<Policy> {
  const retry = { ...(options.retries !== undefined ? { retries: options.retries } : {}), ...options.retry };
  switch (options.kind) {
    case 'openai':
      return createOpenAiPolicy({
        baseUrl: requireBaseUrl(options),
        model: options.model,
        apiKey: options.apiKey,
        headers: options.headers,
        timeoutMs: options.timeoutMs,
        retry,
        sampling: options.sampling,
        extraBody: options.extraBody,
        reasoningAsThink: options.reasoningAsThink,
      });
    case 'vla-r1-server':
      return createVlaR1ServerPolicy({
        baseUrl: requireBaseUrl(options),
        headers: options.headers,
        timeoutMs: options.timeoutMs,
        retry,
        jpegQuality: options.jpegQuality,
      });
    case 'local': {
      if (!options.checkpoint) throw new UserError('--policy local needs --checkpoint DIR (a trained checkpoint folder)');
      // Imported here so that HTTP-only runs never load the model engine.
      const { createLocalPolicy } = await import('./local.js');
      return createLocalPolicy(options.checkpoint);
    }
  }
}
