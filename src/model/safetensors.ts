/**
 * The safetensors format, float32 only: an 8-byte little-endian header length N, N bytes of JSON header
 * (`{name: {dtype: "F32", shape, data_offsets: [begin, end]}, "__metadata__": {…}}`, space-padded to a
 * multiple of 8), then the raw little-endian tensor bytes. Readable by Python's `safetensors`.
 */
import { z } from 'zod';

/** A named float32 tensor. */
export interface NamedTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const entrySchema = z
  .object({
    dtype: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    data_offsets: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]),
  })
  .strict();

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Serialise tensors (in the given order) and string metadata.
 *
 * @example
 * const bytes = encodeSafetensors(new Map([['w', { shape: [2], data: new Float32Array([1, 2]) }]]));
 */
export function encodeSafetensors(tensors: ReadonlyMap<string, NamedTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new Error(`safetensors: ${name}: shape [${t.shape.join(', ')}] does not match ${t.data.length} values`);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * size] };
    offset += 4 * size;
  }
  let json = JSON.stringify(header);
  const headerBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + headerBytes) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors.values()) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (littleEndian) out.set(bytes, at);
    else for (let i = 0; i < t.data.length; i++) view.setFloat32(at + 4 * i, t.data[i] as number, true);
    at += t.data.byteLength;
  }
  return out;
}

/** What {@link decodeSafetensors} returns. */
export interface DecodedSafetensors {
  readonly tensors: Map<string, NamedTensor>;
  readonly metadata: Record<string, string>;
}

/**
 * Parse safetensors bytes (float32 tensors only).
 *
 * @throws Error describing what is wrong (the caller adds the file name).
 */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8) throw new Error('too short for a safetensors file (no 8-byte header length)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) throw new Error(`header length ${n} exceeds the file size ${bytes.length}`);
  const headerLength = Number(n);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, headerLength).toString('utf8'));
  } catch (error) {
    throw new Error(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('the header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === '__metadata__') {
      const parsed = z.record(z.string(), z.string()).safeParse(value);
      if (!parsed.success) throw new Error('__metadata__ must map strings to strings');
      metadata = parsed.data;
      continue;
    }
    const parsed = entrySchema.safeParse(value);
    if (!parsed.success) throw new Error(`tensor ${name}: expected {dtype, shape, data_offsets}`);
    const { dtype, shape, data_offsets: [begin, end] } = parsed.data;
    if (dtype !== 'F32') throw new Error(`tensor ${name}: dtype ${dtype} is not supported (only F32)`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) throw new Error(`tensor ${name}: data_offsets [${begin}, ${end}] are outside the ${dataLength} data bytes`);
    if (end - begin !== 4 * size) throw new Error(`tensor ${name}: shape [${shape.join(', ')}] needs ${4 * size} bytes, data_offsets give ${end - begin}`);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    tensors.set(name, { shape, data });
  }
  return { tensors, metadata };
}
