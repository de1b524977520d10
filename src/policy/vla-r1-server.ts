/**
 * The official VLA-R1 inference server (`scripts/server.py` of GigaAI-research/VLA-R1: FastAPI + HF transformers,
 * port 8000), spoken to exactly as its client `scripts/inference.py` does:
 *
 * - `POST {base}/generate_multipart`, a multipart form (encoded as Python `requests` does) with the field `prompt` (instruction + official suffix +
 *   `\n<image>`, the client's `aff_form` / `traj_form`) and the file field `image` (`frame.jpg`, `image/jpeg`,
 *   JPEG quality 90 of the RGB channels, alpha dropped like the client's `img[..., :3]`);
 * - reply `{"result": "<answer text>"}`.
 *
 * The server samples with fixed settings (temperature 0.7, top-p 0.9, repetition penalty 1.1, 2048 new tokens):
 * temperature, top-p, max tokens and seed cannot be sent and are ignored.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { buildHumanTurn } from '../protocol/prompts.js';
import { httpJson } from './http.js';
import { mulberry32, withRetry, type RetryOptions } from './retry.js';
import type { GenerateOptions, Policy, PolicyImage, PolicyRequest } from './types.js';

/** How to reach the official server. */
export interface VlaR1ServerPolicyOptions {
  /** The server root, e.g. `http://127.0.0.1:8000`. */
  readonly baseUrl: string;
  /** Extra request headers (e.g. for a reverse proxy). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time limit of one request in ms (default 600 000, the official client's 600 s). */
  readonly timeoutMs?: number;
  /** Retry policy for timeouts, network failures, 429 and 5xx (default 4 retries). */
  readonly retry?: Partial<RetryOptions>;
  /** JPEG quality of the re-encoded image (default 90, as the official client). */
  readonly jpegQuality?: number;
}

const replySchema = z.object({ result: z.string() });

/**
 * The JPEG the official client would upload: RGB channels only (alpha dropped), quality 90. JPEG input is
 * passed through untouched (no second lossy encode).
 *
 * @example
 * const jpeg = await officialJpeg({ bytes: png, mimeType: 'image/png' }); // Uint8Array starting FF D8 FF
 */
export async function officialJpeg(image: PolicyImage, quality = 90): Promise<Uint8Array> {
  if (image.mimeType === 'image/jpeg') return image.bytes;
  const { default: sharp } = await import('sharp');
  const buffer = await sharp(image.bytes).removeAlpha().jpeg({ quality }).toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** A multipart/form-data body with its content type. */
export interface MultipartBody {
  readonly contentType: string;
  readonly body: Uint8Array;
}

/**
 * The multipart body of one request, byte for byte as Python `requests` encodes the official client's
 * `data={"prompt": …}, files={"image": ("frame.jpg", jpeg, "image/jpeg")}`: the `prompt` field first, then the
 * file. Built by hand because WHATWG `FormData` (fetch) rewrites the `\n` before `<image>` to `\r\n`, which
 * the server would pass on to the model.
 *
 * @example
 * const { contentType, body } = officialMultipart('reach for the ketchup bottle.', 'trajectory', jpegBytes);
 * // the prompt part reads 'reach for the ketchup bottle. Please output the optimal trajectory … </output>.\n<image>'
 */
export function officialMultipart(instruction: string, kind: PolicyRequest['kind'], jpeg: Uint8Array, boundary = randomBytes(16).toString('hex')): MultipartBody {
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n${buildHumanTurn(instruction, kind)}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="frame.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const body = Buffer.concat([Buffer.from(head, 'utf8'), jpeg, Buffer.from(tail, 'utf8')]);
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
}

/**
 * Create a policy that answers through the official VLA-R1 FastAPI server.
 *
 * @example
 * const policy = createVlaR1ServerPolicy({ baseUrl: 'http://127.0.0.1:8000' });
 * const [answer] = await policy.generate([{ image, instruction: 'pick up the broccoli and place it in a pot.', kind: 'affordance' }]);
 */
export function createVlaR1ServerPolicy(options: VlaR1ServerPolicyOptions): Policy {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new UserError(`--base-url: not a URL: ${JSON.stringify(options.baseUrl)}`);
  }
  const root = `${base.origin}${base.pathname.replace(/\/+$/, '')}`;
  const url = `${root}/generate_multipart`;
  const timeoutMs = options.timeoutMs ?? 600_000;
  const quality = options.jpegQuality ?? 90;
  const random = options.retry?.random ?? mulberry32(options.retry?.seed ?? 0);

  const one = async (request: PolicyRequest, generate: GenerateOptions): Promise<string> => {
    const jpeg = await officialJpeg(request.image, quality);
    const { contentType, body } = officialMultipart(request.instruction, request.kind, jpeg);
    const headers = { 'content-type': contentType, ...options.headers };
    const reply = await withRetry(
      () => httpJson({ url, method: 'POST', headers, body, timeoutMs, signal: generate.signal }, replySchema),
      { retries: 4, ...options.retry, random, signal: generate.signal },
    );
    return reply.result;
  };

  return {
    name: `vla-r1-server:${base.host}`,
    generate: (requests, generate = {}) => Promise.all(requests.map((request) => one(request, generate))),
    close: async () => {},
  };
}
