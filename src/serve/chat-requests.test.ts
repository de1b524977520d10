import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildHumanTurn, buildPrompt } from '../protocol/prompts.js';
import { HttpError } from './http-json.js';
import { decodeImageDataUri, readChatRequest, splitPrompt } from './chat-requests.js';

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9]);
const pngUri = `data:image/png;base64,${PNG.toString('base64')}`;

const chat = (text: string, image: unknown = { url: pngUri }, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'vla-r1',
  messages: [{ role: 'user', content: [{ type: 'text', text }, { type: 'image_url', image_url: image }] }],
  ...extra,
});

/** The message of the HttpError `fn` throws (fails when it throws anything else or nothing). */
function httpError(fn: () => unknown): { status: number; message: string } {
  try {
    fn();
  } catch (error: unknown) {
    if (error instanceof HttpError) return { status: error.status, message: error.message };
    throw error;
  }
  throw new Error('expected an HttpError');
}

describe('splitPrompt', () => {
  it('recovers instruction and kind, with or without a trailing \\n<image>', () => {
    expect(splitPrompt(buildPrompt('pick up the mug.', 'affordance'))).toEqual({ instruction: 'pick up the mug.', kind: 'affordance' });
    expect(splitPrompt(buildHumanTurn('reach the cup.', 'trajectory'))).toEqual({ instruction: 'reach the cup.', kind: 'trajectory' });
    expect(splitPrompt('pick up the mug. Please output the box.')).toBeUndefined();
  });

  it('property: splitPrompt inverts buildPrompt for any instruction', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('affordance' as const, 'trajectory' as const), (instruction, kind) => {
        expect(splitPrompt(buildPrompt(instruction, kind))).toEqual({ instruction, kind });
      }),
    );
  });
});

describe('decodeImageDataUri', () => {
  it('reads PNG and JPEG bytes and takes the type from the bytes', () => {
    expect(decodeImageDataUri(pngUri, 'f')).toEqual({ bytes: new Uint8Array(PNG), mimeType: 'image/png' });
    expect(decodeImageDataUri(`data:image/png;base64,${JPEG.toString('base64')}`, 'f').mimeType).toBe('image/jpeg');
  });

  it('refuses URLs, non-base64 URIs and other formats, naming the field', () => {
    expect(httpError(() => decodeImageDataUri('https://example.com/a.png', 'img')).message).toMatch(/^img: expected a data: URI/);
    expect(httpError(() => decodeImageDataUri('data:image/png,abc', 'img')).message).toBe('img: the data: URI must be base64 encoded (;base64,)');
    expect(httpError(() => decodeImageDataUri('data:image/gif;base64,R0lGODlh', 'img')).message).toBe(
      'img: not a PNG or JPEG image (declared "image/gif", 6 bytes)',
    );
  });
});

describe('readChatRequest', () => {
  it('reads the official request shape with its sampling options', () => {
    const job = readChatRequest(chat(buildPrompt('pick up the mug.', 'affordance'), { url: pngUri }, { temperature: 0, top_p: 0.9, max_tokens: 40, n: 3, seed: 7 }));
    expect(job).toEqual({
      model: 'vla-r1',
      request: { image: { bytes: new Uint8Array(PNG), mimeType: 'image/png' }, instruction: 'pick up the mug.', kind: 'affordance' },
      sampling: { temperature: 0, topP: 0.9, maxTokens: 40, seed: 7 },
      n: 3,
      seeded: true,
      imageField: 'messages[0].content[1].image_url.url',
    });
  });

  it('accepts image_url as a plain string, a trailing \\n<image>, system messages, and OpenAI defaults', () => {
    const body = chat(buildHumanTurn('reach the cup.', 'trajectory'), pngUri, { max_completion_tokens: 9, seed: null });
    (body.messages as unknown[]).unshift({ role: 'system', content: 'ignored' });
    const job = readChatRequest(body);
    expect(job.request.instruction).toBe('reach the cup.');
    expect(job.request.kind).toBe('trajectory');
    expect(job.sampling).toEqual({ temperature: 1, topP: 1, maxTokens: 9 });
    expect(job.n).toBe(1);
    expect(job.seeded).toBe(false);
    expect(job.imageField).toBe('messages[1].content[1].image_url');
  });

  it('names the field of each mistake', () => {
    const prompt = buildPrompt('pick up the mug.', 'affordance');
    expect(httpError(() => readChatRequest({})).message).toMatch(/^messages: /);
    expect(httpError(() => readChatRequest(chat(prompt, { url: pngUri }, { temperature: 'hot' }))).message).toMatch(/^temperature: expected number/);
    expect(httpError(() => readChatRequest(chat(prompt, { url: pngUri }, { n: 0 }))).message).toMatch(/^n: /);
    expect(httpError(() => readChatRequest(chat(prompt, { url: pngUri }, { stream: true }))).message).toMatch(/^stream: /);
    expect(httpError(() => readChatRequest({ messages: [{ role: 'user', content: prompt }] })).message).toMatch(/^messages\[0\]\.content: no image/);
    expect(httpError(() => readChatRequest({ messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }] })).message).toBe(
      'messages[0].content: expected exactly one image_url part, got 0',
    );
    expect(httpError(() => readChatRequest(chat('what is in the picture?'))).message).toMatch(/^messages\[0\]\.content: the text must be an instruction followed by the official/);
    expect(httpError(() => readChatRequest(chat(prompt, { url: 'http://x/y.png' }))).message).toMatch(/^messages\[0\]\.content\[1\]\.image_url\.url: expected a data: URI/);
    expect(httpError(() => readChatRequest({ messages: [{ role: 'assistant', content: 'hi' }] })).message).toMatch(/^messages\[0\]\.role: /);
    const two = chat(prompt);
    (two.messages as unknown[]).push({ role: 'user', content: 'again' });
    expect(httpError(() => readChatRequest(two)).message).toBe('messages: expected exactly one user message (the prompt text and the image), got 2');
  });
});
