/**
 * The OpenAI chat-completions request the policy service accepts, and its reading into policy requests.
 *
 * One user message holding the prompt text (instruction + official suffix, an optional trailing
 * `\n<image>`) and one image as an `image_url` part with a base64 PNG/JPEG `data:` URI (`image_url` may be
 * `{url}` or the URL string). System/developer messages are accepted and ignored (the model has no
 * system prompt). Sampling: `temperature`, `top_p`, `max_tokens` (or `max_completion_tokens`), `n`, `seed`.
 * Other OpenAI fields are ignored, except `stream: true`, which is refused.
 *
 * @module
 */
import { z } from 'zod';
import { AFFORDANCE_SUFFIX, IMAGE_TOKEN, TRAJECTORY_SUFFIX } from '../protocol/prompts.js';
import type { TaskKind } from '../protocol/types.js';
import type { GenerateOptions, PolicyImage, PolicyRequest } from '../policy/types.js';
import { HttpError } from './http-json.js';
import { describeZodError, fieldIssues } from './zod-issues.js';

/** Most choices one request may ask for. */
export const MAX_CHOICES = 64;

const TextPartSchema = z.object({ type: z.literal('text'), text: z.string() });
const ImagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.union([z.string(), z.object({ url: z.string(), detail: z.string().optional() })]),
});
const ContentPartSchema = z.discriminatedUnion('type', [TextPartSchema, ImagePartSchema]);

const MessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user']),
  content: z.union([z.string(), z.array(ContentPartSchema)]),
});

/** The accepted body of `POST /v1/chat/completions` (unknown OpenAI fields are ignored). */
export const ChatRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(MessageSchema).min(1),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  n: z.number().int().min(1).max(MAX_CHOICES).nullish(),
  seed: z.number().int().nullish(),
  stream: z.boolean().nullish(),
});

/** A validated chat request body. */
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** What the service runs for one chat request: the policy request, its sampling options and the number of choices. */
export interface ChatJob {
  readonly model: string | undefined;
  readonly request: PolicyRequest;
  readonly sampling: Omit<GenerateOptions, 'signal'>;
  readonly n: number;
  /** True when the client chose the seed (its samples must not depend on other clients' requests). */
  readonly seeded: boolean;
  /** Where the image is in the body, e.g. `messages[0].content[1].image_url.url` (for errors found later). */
  readonly imageField: string;
}

/**
 * Split a prompt (instruction + official suffix, optionally followed by `\n<image>`) into instruction and
 * task kind; `undefined` when it does not end with an official suffix.
 *
 * @example
 * splitPrompt('reach the cup. Please output the optimal trajectory … <output>[[x1, y1], [x2, y2], ...]</output>.');
 * // { instruction: 'reach the cup.', kind: 'trajectory' }
 */
export function splitPrompt(prompt: string): { instruction: string; kind: TaskKind } | undefined {
  let text = prompt;
  if (text.endsWith(`\n${IMAGE_TOKEN}`)) text = text.slice(0, -(IMAGE_TOKEN.length + 1));
  else if (text.startsWith(`${IMAGE_TOKEN}\n`)) text = text.slice(IMAGE_TOKEN.length + 1);
  if (text.endsWith(AFFORDANCE_SUFFIX)) return { instruction: text.slice(0, -AFFORDANCE_SUFFIX.length), kind: 'affordance' };
  if (text.endsWith(TRAJECTORY_SUFFIX)) return { instruction: text.slice(0, -TRAJECTORY_SUFFIX.length), kind: 'trajectory' };
  return undefined;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

/**
 * Decode a base64 `data:` URI holding a PNG or JPEG (the bytes are checked, not just the declared type).
 *
 * @throws HttpError 400 naming `field` when it is not such a URI.
 * @example
 * decodeImageDataUri('data:image/png;base64,iVBORw0KGgo=', 'image_url'); // { bytes, mimeType: 'image/png' }
 */
export function decodeImageDataUri(uri: string, field: string): PolicyImage {
  const match = /^data:([^;,]*)((?:;[^;,]*)*),/i.exec(uri);
  if (match === null) {
    const shown = uri.length > 40 ? `${uri.slice(0, 40)}…` : uri;
    throw new HttpError(400, `${field}: expected a data: URI (data:image/png;base64,… or data:image/jpeg;base64,…); URLs are not fetched, got ${JSON.stringify(shown)}`);
  }
  if (!/;base64$/i.test(match[2] ?? '')) throw new HttpError(400, `${field}: the data: URI must be base64 encoded (;base64,)`);
  const bytes = new Uint8Array(Buffer.from(uri.slice(match[0].length), 'base64'));
  const mimeType = startsWith(bytes, PNG_MAGIC) ? 'image/png' : startsWith(bytes, JPEG_MAGIC) ? 'image/jpeg' : undefined;
  if (mimeType === undefined) throw new HttpError(400, `${field}: not a PNG or JPEG image (declared ${JSON.stringify(match[1] ?? '')}, ${bytes.length} bytes)`);
  return { bytes, mimeType };
}

/**
 * Validate a chat-completions body and read it into a {@link ChatJob}.
 *
 * @throws HttpError 400 naming the field (`messages[0].content`, `temperature`, …).
 * @example
 * const job = readChatRequest({ model: 'vla-r1', messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image_url', image_url: { url } }] }] });
 * job.request.kind; // 'affordance'
 */
export function readChatRequest(body: unknown): ChatJob {
  const parsed = ChatRequestSchema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error), { issues: fieldIssues(parsed.error) });
  const chat = parsed.data;
  if (chat.stream === true) throw new HttpError(400, 'stream: streaming is not supported; send stream: false');
  const users = chat.messages.flatMap((m, i) => (m.role === 'user' ? [i] : []));
  if (users.length !== 1) {
    throw new HttpError(400, `messages: expected exactly one user message (the prompt text and the image), got ${users.length}`);
  }
  const at = users[0] as number;
  const content = (chat.messages[at] as z.infer<typeof MessageSchema>).content;
  const field = `messages[${at}].content`;
  if (typeof content === 'string') throw new HttpError(400, `${field}: no image; send [{type: 'text', text}, {type: 'image_url', image_url: {url: 'data:image/png;base64,…'}}]`);
  const images = content.flatMap((part, i) => (part.type === 'image_url' ? [i] : []));
  if (images.length !== 1) throw new HttpError(400, `${field}: expected exactly one image_url part, got ${images.length}`);
  const imageAt = images[0] as number;
  const imagePart = content[imageAt] as z.infer<typeof ImagePartSchema>;
  const url = typeof imagePart.image_url === 'string' ? imagePart.image_url : imagePart.image_url.url;
  const imageField = `${field}[${imageAt}].image_url${typeof imagePart.image_url === 'string' ? '' : '.url'}`;
  const image = decodeImageDataUri(url, imageField);
  const text = content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  const prompt = splitPrompt(text.trimEnd());
  if (prompt === undefined) {
    throw new HttpError(
      400,
      `${field}: the text must be an instruction followed by the official affordance or trajectory suffix (" Please output the 2D affordance region …" / " Please output the optimal trajectory …")`,
    );
  }
  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens ?? undefined;
  const sampling: Omit<GenerateOptions, 'signal'> = {
    temperature: chat.temperature ?? 1,
    topP: chat.top_p ?? 1,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(chat.seed !== undefined && chat.seed !== null ? { seed: chat.seed } : {}),
  };
  return {
    model: chat.model,
    request: { image, instruction: prompt.instruction, kind: prompt.kind },
    sampling,
    n: chat.n ?? 1,
    seeded: chat.seed !== undefined && chat.seed !== null,
    imageField,
  };
}
