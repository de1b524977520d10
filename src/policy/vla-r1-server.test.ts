import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/helpers/openai-test-server.js';
import { AFFORDANCE_SUFFIX, TRAJECTORY_SUFFIX } from '../protocol/prompts.js';
import { imageSizeFromHeader } from './image.js';
import { HttpStatusError } from './retry.js';
import { createVlaR1ServerPolicy, officialJpeg, officialMultipart } from './vla-r1-server.js';

const png = new Uint8Array(readFileSync(new URL('../../test/fixtures/official-samples/trajectory-424x240.png', import.meta.url)));
const BOX = '<think>a</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.2, "height": 0.2}</output>';
const TRAJ = '<think>b</think> so, the answer is <output>[[0.1, 0.2], [0.3, 0.4]]</output>';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('createVlaR1ServerPolicy against a fake official server', () => {
  it('posts the official multipart form: prompt with suffix and \\n<image>, a JPEG frame.jpg', async () => {
    server = await startTestServer({ answers: { 'pick up the broccoli and place it in a pot.': BOX, 'reach for the ketchup bottle on the oven.': TRAJ } });
    const policy = createVlaR1ServerPolicy({ baseUrl: `${server.url}/` });
    expect(policy.name).toBe(`vla-r1-server:${new URL(server.url).host}`);
    const image = { bytes: png, mimeType: 'image/png' as const };
    const answers = await policy.generate([
      { image, instruction: 'pick up the broccoli and place it in a pot.', kind: 'affordance' },
      { image, instruction: 'reach for the ketchup bottle on the oven.', kind: 'trajectory' },
    ]);
    expect(answers).toEqual([BOX, TRAJ]);
    const prompts = server.requests.map((r) => r.prompt).sort();
    expect(prompts).toEqual([
      `pick up the broccoli and place it in a pot.${AFFORDANCE_SUFFIX}\n<image>`,
      `reach for the ketchup bottle on the oven.${TRAJECTORY_SUFFIX}\n<image>`,
    ]);
    for (const r of server.requests) {
      expect(r.route).toBe('multipart');
      expect(r.imageMime).toBe('image/jpeg');
      expect(r.imageFilename).toBe('frame.jpg');
      const bytes = r.image ?? new Uint8Array();
      expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(imageSizeFromHeader(bytes)).toEqual({ width: 424, height: 240 });
    }
  });

  it('encodes the form byte for byte like Python requests, keeping the bare \\n', () => {
    const { contentType, body } = officialMultipart('pick the cube.', 'affordance', new Uint8Array([0xff, 0xd8, 0xff, 0xd9]), 'b0');
    expect(contentType).toBe('multipart/form-data; boundary=b0');
    expect(Buffer.from(body).toString('latin1')).toBe(
      '--b0\r\nContent-Disposition: form-data; name="prompt"\r\n\r\n' +
        `pick the cube.${AFFORDANCE_SUFFIX}\n<image>\r\n` +
        '--b0\r\nContent-Disposition: form-data; name="image"; filename="frame.jpg"\r\nContent-Type: image/jpeg\r\n\r\n' +
        '\xff\xd8\xff\xd9\r\n--b0--\r\n',
    );
  });

  it('passes JPEG input through untouched and drops alpha from RGBA PNGs', async () => {
    const jpeg = await officialJpeg({ bytes: png, mimeType: 'image/png' });
    expect(await officialJpeg({ bytes: jpeg, mimeType: 'image/jpeg' })).toBe(jpeg);
    const { default: sharp } = await import('sharp');
    const rgba = await sharp({ create: { width: 30, height: 20, channels: 4, background: { r: 200, g: 10, b: 10, alpha: 0.5 } } }).png().toBuffer();
    const out = await officialJpeg({ bytes: new Uint8Array(rgba), mimeType: 'image/png' });
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['jpeg', 30, 20, 3]);
  });

  it('retries a 503 and a dropped connection, not a 422', async () => {
    server = await startTestServer({
      answers: { 'pick the cube.': BOX },
      faults: { 'pick the cube.': [{ status: 503 }, 'reset'], 'open the door.': [{ status: 422, body: 'Field required' }] },
    });
    const policy = createVlaR1ServerPolicy({ baseUrl: server.url, retry: { retries: 3, sleep: async () => {} } });
    const image = { bytes: png, mimeType: 'image/png' as const };
    expect(await policy.generate([{ image, instruction: 'pick the cube.', kind: 'affordance' }])).toEqual([BOX]);
    expect(server.requests.map((r) => r.outcome)).toEqual(['503', 'reset', 'ok']);
    const error = await policy.generate([{ image, instruction: 'open the door.', kind: 'trajectory' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toContain('HTTP 422');
    expect(server.requests).toHaveLength(4);
  });
});
