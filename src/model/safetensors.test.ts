import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

describe('safetensors', () => {
  const tensors = new Map([
    ['a', { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -6.5]) }],
    ['b.c', { shape: [1], data: new Float32Array([0.25]) }],
  ]);

  it('writes the standard layout: u64 LE header length, 8-byte aligned JSON header, raw LE f32', () => {
    const bytes = encodeSafetensors(tensors, { producer: 'test' });
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) as Record<string, unknown>;
    expect(header).toEqual({
      __metadata__: { producer: 'test' },
      a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
      'b.c': { dtype: 'F32', shape: [1], data_offsets: [24, 28] },
    });
    expect(bytes.length).toBe(8 + n + 28);
    expect(view.getFloat32(8 + n + 20, true)).toBe(-6.5);
  });

  it('round-trips tensors and metadata', () => {
    const back = decodeSafetensors(encodeSafetensors(tensors, { k: 'v' }));
    expect(back.metadata).toEqual({ k: 'v' });
    expect([...back.tensors.keys()]).toEqual(['a', 'b.c']);
    expect(Array.from(back.tensors.get('a')?.data ?? [])).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(back.tensors.get('b.c')?.shape).toEqual([1]);
  });

  it('says what is wrong with a bad file', () => {
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(/too short/);
    const bytes = encodeSafetensors(tensors);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/tensor b.c: data_offsets \[24, 28\] are outside the 24 data bytes/);
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 1000n, true);
    expect(() => decodeSafetensors(huge)).toThrow(/header length 1000 exceeds the file size 16/);
    const f16 = Buffer.concat([Buffer.alloc(8), Buffer.from('{"x":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}')]);
    new DataView(f16.buffer, f16.byteOffset).setBigUint64(0, BigInt(f16.length - 8), true);
    expect(() => decodeSafetensors(new Uint8Array(Buffer.concat([f16, Buffer.alloc(2)])))).toThrow(/dtype F16 is not supported/);
  });
});
