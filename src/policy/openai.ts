/**
 * A policy served behind an OpenAI-compatible chat-completions API: vLLM, SGLang, llama.cpp server, Ollama
 * (`/v1`), LM Studio, TGI, or OpenAI itself.
 *
 * One request per record: a single user message whose content is the prompt text (instruction + official
 * suffix, as {@link buildPrompt} builds it) followed by the image as an `image_url` part holding a base64
 * `data:` URI, the order of the official release (text, then image). No system prompt, like the official server.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { buildPrompt } from '../protocol/prompts.js';
import { httpJson } from './http.js';
import { errorMessage, mulberry32, withRetry, type RetryOptions } from './retry.js';
import type { GenerateOptions, Policy, PolicyImage, PolicyRequest } from './types.js';

/** How to reach and drive an OpenAI-compatible server. */
export interface OpenAiPolicyOptions {
  /**
   * The API base, e.g. `http://127.0.0.1:8000/v1` (vLLM), `http://127.0.0.1:11434/v1` (Ollama). A URL without
   * a path gets `/v1` appended.
   */
  readonly baseUrl: string;
  /** The served model; when absent the first model of `GET /models` is used. */
  readonly model?: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly apiKey?: string;
  /** Extra request headers (override the defaults). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time limit of one request, in ms (default 300 000). */
  readonly timeoutMs?: number;
  /** Retry policy for timeouts, network failures, 429 and 5xx (default 4 retries). */
  readonly retry?: Partial<RetryOptions>;
  /** Sampling defaults; per-call {@link GenerateOptions} override them. Greedy (temperature 0) by default. */
  readonly sampling?: Omit<GenerateOptions, 'signal'>;
  /** Extra JSON fields merged into every request body (e.g. `{"top_k": 1, "repetition_penalty": 1.05}`). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /**
   * Servers with a reasoning parser (vLLM `--reasoning-parser`, SGLang) return the reasoning separately as
   * `reasoning_content`; when true it is put back as `<think>…</think>` before the content.
   */
  readonly reasoningAsThink?: boolean;
}

const contentPartSchema = z.object({ type: z.string(), text: z.string().optional() });

const chatCompletionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.union([z.string(), z.null(), z.array(contentPartSchema)]).optional(),
          reasoning_content: z.string().nullish(),
          reasoning: z.string().nullish(),
        }),
      }),
    )
    .min(1),
});

const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

/**
 * The API base with `/v1` added when the URL has no path, and without a trailing slash.
 *
 * @example
 * normalizeBaseUrl('http://127.0.0.1:8000'); // 'http://127.0.0.1:8000/v1'
 * normalizeBaseUrl('https://api.example.com/openai/v1/'); // 'https://api.example.com/openai/v1'
 */
export function normalizeBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UserError(`--base-url: not a URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`--base-url: expected http(s), got ${url.protocol}`);
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/v1' : path}`;
}

/**
 * The `data:` URI of an image, as OpenAI-compatible servers accept in an `image_url` part.
 *
 * @example
 * imageDataUri({ bytes: new Uint8Array([1, 2, 3]), mimeType: 'image/png' }); // 'data:image/png;base64,AQID'
 */
export function imageDataUri(image: PolicyImage): string {
  return `data:${image.mimeType};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`;
}

/**
 * The chat-completions request body for one policy request.
 *
 * @example
 * chatRequestBody('Qwen/Qwen2.5-VL-3B-Instruct', request, { temperature: 0, maxTokens: 1024 });
 * // { model, messages: [{ role: 'user', content: [{ type: 'text', text: 'pick …</output>.' }, { type: 'image_url', … }] }], temperature: 0, max_tokens: 1024, … }
 */
export function chatRequestBody(
  model: string,
  request: PolicyRequest,
  sampling: Omit<GenerateOptions, 'signal'>,
  extraBody: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: buildPrompt(request.instruction, request.kind) },
          { type: 'image_url', image_url: { url: imageDataUri(request.image) } },
        ],
      },
    ],
    stream: false,
  };
  if (sampling.temperature !== undefined) body.temperature = sampling.temperature;
  if (sampling.topP !== undefined) body.top_p = sampling.topP;
  if (sampling.maxTokens !== undefined) body.max_tokens = sampling.maxTokens;
  if (sampling.seed !== undefined) body.seed = sampling.seed;
  return { ...body, ...extraBody };
}

/** A marker no prompt contains (a control character and a per-process nonce), replaced by the image bytes. */
const IMAGE_MARKER = `\u0001vla-r1-image-${randomUUID()}`;
const QUOTED_MARKER = JSON.stringify(IMAGE_MARKER);

/**
 * {@link chatRequestBody} encoded as UTF-8 JSON bytes, equal to `JSON.stringify(chatRequestBody(…))`, but
 * cheaper: the half-megabyte base64 image is written straight into the buffer (base64 needs no JSON escaping)
 * instead of being built as a string, scanned by `JSON.stringify` and re-encoded to UTF-8 (≈ 2 ms less per
 * request for the 640×480 sample; see bench/eval-client.ts).
 *
 * @example
 * new TextDecoder().decode(encodeChatRequest('m', request, { temperature: 0 })) === JSON.stringify(chatRequestBody('m', request, { temperature: 0 })); // true
 */
export function encodeChatRequest(
  model: string,
  request: PolicyRequest,
  sampling: Omit<GenerateOptions, 'signal'>,
  extraBody: Readonly<Record<string, unknown>> = {},
): Uint8Array {
  const body = chatRequestBody(model, { ...request, image: { bytes: new Uint8Array(0), mimeType: request.image.mimeType } }, sampling, extraBody);
  const messages = body.messages as { content: { image_url?: { url: string } }[] }[];
  const part = messages[0]?.content[1];
  if (part?.image_url) part.image_url.url = IMAGE_MARKER;
  const json = JSON.stringify(body);
  const at = json.indexOf(QUOTED_MARKER);
  if (at < 0) return Buffer.from(JSON.stringify(chatRequestBody(model, request, sampling, extraBody)), 'utf8');
  const { bytes } = request.image;
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const head = `${json.slice(0, at)}"data:${request.image.mimeType};base64,`;
  const tail = `"${json.slice(at + QUOTED_MARKER.length)}`;
  const headLength = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headLength + base64.length + Buffer.byteLength(tail, 'utf8'));
  out.write(head, 0, 'utf8');
  out.write(base64, headLength, 'latin1');
  out.write(tail, headLength + base64.length, 'utf8');
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** The answer text of a chat-completions reply (first choice). */
export function replyText(reply: z.infer<typeof chatCompletionSchema>, reasoningAsThink: boolean): string {
  const message = reply.choices[0]?.message;
  if (!message) return '';
  const content = message.content;
  const text = typeof content === 'string' ? content : Array.isArray(content) ? content.map((part) => part.text ?? '').join('') : '';
  const reasoning = message.reasoning_content ?? message.reasoning;
  if (reasoningAsThink && reasoning && !/<think>/i.test(text)) return `<think>${reasoning}</think>${text}`;
  return text;
}

function requestHeaders(options: OpenAiPolicyOptions, json: boolean): Record<string, string> {
  const headers: Record<string, string> = json ? { 'content-type': 'application/json' } : {};
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  return { ...headers, ...options.headers };
}

/**
 * Ask the server which models it serves (`GET /models`).
 *
 * @example
 * await listModels({ baseUrl: 'http://127.0.0.1:8000/v1' }); // ['Qwen/Qwen2.5-VL-3B-Instruct']
 */
export async function listModels(options: OpenAiPolicyOptions): Promise<string[]> {
  const base = normalizeBaseUrl(options.baseUrl);
  const reply = await withRetry(
    () => httpJson({ url: `${base}/models`, method: 'GET', headers: requestHeaders(options, false), timeoutMs: options.timeoutMs ?? 30_000 }, modelListSchema),
    { retries: 2, ...options.retry },
  );
  return reply.data.map((m) => m.id);
}

/**
 * Create a policy that answers through an OpenAI-compatible chat-completions server. Without `model`, the first
 * model the server lists is used (a clear {@link UserError} when the server cannot be reached or lists none).
 *
 * @example
 * const policy = await createOpenAiPolicy({ baseUrl: 'http://127.0.0.1:8000/v1', sampling: { temperature: 0, maxTokens: 1024 } });
 * const [answer] = await policy.generate([{ image, instruction: 'pick up the red mug.', kind: 'affordance' }]);
 */
export async function createOpenAiPolicy(options: OpenAiPolicyOptions): Promise<Policy> {
  const base = normalizeBaseUrl(options.baseUrl);
  let model = options.model;
  if (!model) {
    let models: string[];
    try {
      models = await listModels(options);
    } catch (error: unknown) {
      throw new UserError(`--policy openai: cannot list the models of ${base} (give --model to skip this): ${errorMessage(error)}`);
    }
    model = models[0];
    if (!model) throw new UserError(`--policy openai: ${base}/models lists no model; give --model`);
  }
  const servedModel = model;
  const url = `${base}/chat/completions`;
  const headers = requestHeaders(options, true);
  const timeoutMs = options.timeoutMs ?? 300_000;
  const extraBody = options.extraBody ?? {};
  const reasoningAsThink = options.reasoningAsThink ?? false;
  // One jitter stream for the whole policy, so concurrent requests that fail together retry at different times.
  const random = options.retry?.random ?? mulberry32(options.retry?.seed ?? 0);

  const one = async (request: PolicyRequest, generate: GenerateOptions): Promise<string> => {
    const { signal, ...perCall } = generate;
    const sampling = { temperature: 0, ...options.sampling, ...definedOnly(perCall) };
    const body = encodeChatRequest(servedModel, request, sampling, extraBody);
    const reply = await withRetry(() => httpJson({ url, method: 'POST', headers, body, timeoutMs, signal }, chatCompletionSchema), {
      retries: 4,
      ...options.retry,
      random,
      signal,
    });
    return replyText(reply, reasoningAsThink);
  };

  return {
    name: `openai:${servedModel}`,
    generate: (requests, generate = {}) => Promise.all(requests.map((request) => one(request, generate))),
    close: async () => {},
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
