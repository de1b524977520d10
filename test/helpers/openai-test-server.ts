/**
 * A real HTTP server on 127.0.0.1 (port 0) that plays a model server for tests and benchmarks:
 *
 * - OpenAI-compatible: `GET /v1/models`, `POST /v1/chat/completions` (user message with a text part and an
 *   `image_url` data-URI part);
 * - the official VLA-R1 server: `POST /generate_multipart` (form fields `prompt`, `image`), reply `{"result"}`.
 *
 * Answers come from a table keyed by instruction (the prompt with the official suffix stripped). Faults can be
 * scripted per instruction (consumed in order, one per request; key `*` for any instruction): an HTTP status
 * (429 with a `Retry-After`, 500, 400…), `timeout` (never answer), `reset` (drop the connection). Every request
 * is recorded, and the peak number of requests in flight is tracked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AFFORDANCE_SUFFIX, parseHumanTurn, TRAJECTORY_SUFFIX } from '../../src/protocol/prompts.js';
import type { TaskKind } from '../../src/protocol/types.js';

/** A scripted failure for one request. */
export type Fault = { readonly status: number; readonly retryAfter?: string; readonly body?: string } | 'timeout' | 'reset';

export interface TestServerOptions {
  /** Answer text per instruction. */
  readonly answers: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
  /** Faults per instruction (or `*`), consumed in order. */
  readonly faults?: Readonly<Record<string, readonly Fault[]>>;
  /** Delay before every answer, in ms (default 0: instant). */
  readonly delayMs?: number;
  /** The model `GET /v1/models` lists (default `test-vlm`). */
  readonly model?: string;
  /** Keep the raw request bodies in {@link RecordedRequest.body} (default true; benchmarks turn it off). */
  readonly recordBodies?: boolean;
}

/** What the server saw of one request. */
export interface RecordedRequest {
  readonly route: 'chat' | 'multipart' | 'models' | 'other';
  readonly instruction?: string;
  readonly kind?: TaskKind;
  /** The prompt text as sent. */
  readonly prompt?: string;
  readonly imageMime?: string;
  readonly image?: Uint8Array;
  readonly imageFilename?: string;
  readonly headers: IncomingMessage['headers'];
  /** The parsed JSON body (chat) when recorded. */
  readonly body?: unknown;
  /** How this request was answered: `ok`, a status, `timeout`, `reset`. */
  readonly outcome: string;
}

export interface TestServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Peak number of requests being handled at once. */
  readonly maxInFlight: number;
  /** Reset the request log and the in-flight peak. */
  reset(): void;
  close(): Promise<void>;
}

function stripSuffix(prompt: string): { instruction: string; kind: TaskKind } | undefined {
  const turn = parseHumanTurn(prompt);
  if (turn) return turn;
  const text = prompt.replace(/^ /, '');
  if (text.endsWith(AFFORDANCE_SUFFIX)) return { instruction: text.slice(0, -AFFORDANCE_SUFFIX.length), kind: 'affordance' };
  if (text.endsWith(TRAJECTORY_SUFFIX)) return { instruction: text.slice(0, -TRAJECTORY_SUFFIX.length), kind: 'trajectory' };
  return undefined;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

interface ParsedRequest {
  prompt?: string;
  imageMime?: string;
  image?: Uint8Array;
  imageFilename?: string;
  body?: unknown;
}

function parseChat(raw: Buffer): ParsedRequest {
  const body = JSON.parse(raw.toString('utf8')) as { messages?: { content?: unknown }[] };
  const content = body.messages?.at(-1)?.content;
  const parts = Array.isArray(content) ? (content as { type?: string; text?: string; image_url?: { url?: string } }[]) : [];
  const prompt = parts.find((p) => p.type === 'text')?.text ?? (typeof content === 'string' ? content : undefined);
  const url = parts.find((p) => p.type === 'image_url')?.image_url?.url;
  const match = url ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
  return {
    prompt,
    body,
    imageMime: match?.[1],
    image: match?.[2] !== undefined ? new Uint8Array(Buffer.from(match[2], 'base64')) : undefined,
  };
}

async function parseMultipart(raw: Buffer, contentType: string): Promise<ParsedRequest> {
  const form = await new Request('http://test.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
  const prompt = form.get('prompt');
  const image = form.get('image');
  const file = typeof image === 'object' && image !== null ? (image as File) : undefined;
  return {
    prompt: typeof prompt === 'string' ? prompt : undefined,
    imageMime: file?.type,
    imageFilename: file?.name,
    image: file ? new Uint8Array(await file.arrayBuffer()) : undefined,
  };
}

/**
 * Start the server.
 *
 * @example
 * const server = await startTestServer({ answers: { 'pick up the cup.': '<think>…</think> so, the answer is <output>…</output>' } });
 * const policy = await createOpenAiPolicy({ baseUrl: `${server.url}/v1`, model: 'test-vlm' });
 * await server.close();
 */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const answers = options.answers instanceof Map ? options.answers : new Map(Object.entries(options.answers));
  const faults = new Map<string, Fault[]>(Object.entries(options.faults ?? {}).map(([k, v]) => [k, [...v]]));
  const model = options.model ?? 'test-vlm';
  const recordBodies = options.recordBodies ?? true;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;

  const nextFault = (instruction: string | undefined): Fault | undefined => {
    const own = instruction !== undefined ? faults.get(instruction) : undefined;
    if (own && own.length > 0) return own.shift();
    const any = faults.get('*');
    return any && any.length > 0 ? any.shift() : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      requests.push({ route: 'models', headers: req.headers, outcome: 'ok' });
      sendJson(res, 200, { object: 'list', data: [{ id: model, object: 'model' }] });
      return;
    }
    const route = req.method === 'POST' && path === '/v1/chat/completions' ? 'chat' : req.method === 'POST' && path === '/generate_multipart' ? 'multipart' : 'other';
    const raw = await readBody(req);
    if (route === 'other') {
      requests.push({ route, headers: req.headers, outcome: '404' });
      sendJson(res, 404, { detail: 'Not Found' });
      return;
    }
    const parsed = route === 'chat' ? parseChat(raw) : await parseMultipart(raw, req.headers['content-type'] ?? '');
    const turn = parsed.prompt !== undefined ? stripSuffix(parsed.prompt) : undefined;
    const fault = nextFault(turn?.instruction);
    const outcome = fault === undefined ? 'ok' : typeof fault === 'string' ? fault : String(fault.status);
    requests.push({
      route,
      instruction: turn?.instruction,
      kind: turn?.kind,
      prompt: parsed.prompt,
      imageMime: parsed.imageMime,
      image: parsed.image,
      imageFilename: parsed.imageFilename,
      headers: req.headers,
      body: recordBodies ? parsed.body : undefined,
      outcome,
    });
    if (fault === 'timeout') return; // never answer; the client gives up
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (fault !== undefined) {
      sendJson(res, fault.status, { error: { message: fault.body ?? `injected ${fault.status}` } }, fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {});
      return;
    }
    const answer = turn ? answers.get(turn.instruction) : undefined;
    if (answer === undefined) {
      sendJson(res, 400, { error: { message: `no canned answer for prompt ${JSON.stringify(parsed.prompt ?? null)}` } });
      return;
    }
    if (route === 'multipart') sendJson(res, 200, { result: answer });
    else {
      sendJson(res, 200, {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' }],
      });
    }
  };

  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const finish = (): void => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', finish);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(error) } });
      finish();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    reset() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
