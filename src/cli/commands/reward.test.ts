import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeScore } from '../../rewards/index.js';
import { countNewlines } from './reward-lines.js';
import { batchEnd, fileChunks, rewardResultJson, scoreRewardBatch, scoreRewardLine, scoreRewardStream } from './reward.js';

const OPTIONS = { lambdaAngle: 0.25, lambdaLength: 0.1 };
const GT_BOX = '<think>t</think> so, the answer is <output>{"x": 0.5, "y": 0.5, "width": 0.4, "height": 0.4}</output>';
const PRED_BOX = '<think>é→</think> so, the answer is <output>{"x": 0.6, "y": 0.5, "width": 0.4, "height": 0.4}</output>';

/** A readable that yields `buffers` exactly as given (so chunk boundaries fall where the test wants). */
function chunked(buffers: readonly Buffer[]): Readable {
  const queue = [...buffers];
  return new Readable({
    read() {
      this.push(queue.length > 0 ? queue.shift() : null);
    },
  });
}

/** A writable with a tiny buffer that completes each write on a later tick (forces back-pressure). */
function slowSink(): { stream: Writable; text: () => string; writes: () => number } {
  const parts: string[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk.toString('utf8'));
      setImmediate(callback);
    },
  });
  return { stream, text: () => parts.join(''), writes: () => parts.length };
}

describe('scoreRewardLine', () => {
  it('scores a valid line with the reward, and accepts solution_str', () => {
    const expected = rewardResultJson(computeScore(PRED_BOX, GT_BOX));
    expect(scoreRewardLine(JSON.stringify({ response: PRED_BOX, ground_truth: GT_BOX }), 1, OPTIONS)).toEqual({
      ok: true,
      json: expected,
    });
    expect(scoreRewardLine(JSON.stringify({ solution_str: PRED_BOX, ground_truth: GT_BOX }), 1, OPTIONS)).toEqual({
      ok: true,
      json: expected,
    });
    const out = JSON.parse(expected) as Record<string, unknown>;
    // IoU of (0.4,0.3)-(0.8,0.7) with (0.3,0.3)-(0.7,0.7) = 0.12 / 0.20; both in one enclosing box 0.5 × 0.4.
    expect(out.mode).toBe('box');
    expect(out.iou as number).toBeCloseTo(0.6, 12);
    expect(out.alaf).toBeNull();
  });

  it('names the field that is wrong', () => {
    expect(scoreRewardLine('{"response": null, "ground_truth": "x"}', 3, OPTIONS)).toEqual({
      ok: false,
      message: 'line 3: response: expected a string, got null',
    });
    expect(scoreRewardLine('{"solution_str": 1, "ground_truth": "x"}', 4, OPTIONS)).toEqual({
      ok: false,
      message: 'line 4: solution_str: expected a string, got a number',
    });
    expect(scoreRewardLine('{"response": "x", "ground_truth": {}}', 5, OPTIONS)).toEqual({
      ok: false,
      message: 'line 5: ground_truth: expected a string, got an object',
    });
    expect(scoreRewardLine('   ', 6, OPTIONS)).toEqual({ ok: false, message: 'line 6: empty line (expected a JSON object)' });
    expect(scoreRewardLine('"just a string"', 7, OPTIONS)).toEqual({
      ok: false,
      message: 'line 7: expected a JSON object {"response": str, "ground_truth": str}, got a string',
    });
  });
});

describe('scoreRewardBatch', () => {
  it('numbers lines from the given first line and keeps one output line per input line', () => {
    const good = JSON.stringify({ response: PRED_BOX, ground_truth: GT_BOX });
    const r = scoreRewardBatch(`${good}\n\n${good}\r\n`, 41, OPTIONS);
    const expected = rewardResultJson(computeScore(PRED_BOX, GT_BOX));
    expect(r).toEqual({
      lines: 3,
      errors: ['line 42: empty line (expected a JSON object)'],
      output: `${expected}\n{"error":"line 42: empty line (expected a JSON object)"}\n${expected}\n`,
    });
    expect(countNewlines('a\nb\n\n')).toBe(3);
    expect(countNewlines('')).toBe(0);
  });
});

describe('scoreRewardStream', () => {
  it('splits lines across chunk boundaries (also inside a multi-byte character) and keeps order under back-pressure', async () => {
    const good = JSON.stringify({ response: PRED_BOX, ground_truth: GT_BOX });
    const text = [good, 'bad', good, '', good].join('\n'); // no final newline
    const bytes = Buffer.from(text, 'utf8');
    const cut = bytes.indexOf(Buffer.from('→')) + 1; // inside the 3-byte arrow of the first line
    const buffers = [bytes.subarray(0, cut), bytes.subarray(cut, cut + 7), bytes.subarray(cut + 7)];
    const sink = slowSink();
    const errors: string[] = [];
    const summary = await scoreRewardStream(chunked(buffers), sink.stream, {
      ...OPTIONS,
      source: 'mem',
      onLineError: (m) => errors.push(m),
    });
    expect(summary).toEqual({ lines: 5, failed: 2, outputClosed: false });
    const expected = rewardResultJson(computeScore(PRED_BOX, GT_BOX));
    expect(sink.text()).toBe(
      [
        expected,
        JSON.stringify({ error: `line 2: ${notJson('bad')}` }),
        expected,
        JSON.stringify({ error: 'line 4: empty line (expected a JSON object)' }),
        expected,
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([`mem: line 2: ${notJson('bad')}`, 'mem: line 4: empty line (expected a JSON object)']);
  });

  it('writes one batch per input chunk, not one write per line', async () => {
    const good = JSON.stringify({ response: PRED_BOX, ground_truth: GT_BOX });
    const sink = slowSink();
    const summary = await scoreRewardStream(chunked([Buffer.from(`${good}\n`.repeat(50))]), sink.stream, {
      ...OPTIONS,
      source: 'mem',
    });
    expect(summary.lines).toBe(50);
    expect(sink.writes()).toBe(1);
    expect(sink.text().split('\n')).toHaveLength(51);
  });

  it('stops quietly when the reader of the output goes away (EPIPE)', async () => {
    const good = JSON.stringify({ response: PRED_BOX, ground_truth: GT_BOX });
    const closing = new Writable({
      write(_chunk, _encoding, callback) {
        const error: NodeJS.ErrnoException = new Error('write EPIPE');
        error.code = 'EPIPE';
        callback(error);
      },
    });
    const input = chunked(Array.from({ length: 5 }, () => Buffer.from(`${good}\n`)));
    const summary = await scoreRewardStream(input, closing, { ...OPTIONS, source: 'mem' });
    expect(summary.outputClosed).toBe(true);
    expect(summary.lines).toBeLessThan(5);
  });
});

describe('batchEnd', () => {
  it('takes all the lines of a small chunk, cuts a large one at a newline, and keeps a long line whole', () => {
    expect(batchEnd(Buffer.from('a\nb\n'), 0, 3)).toBe(4);
    const lines = Buffer.from(`${'x'.repeat(39_999)}\n`.repeat(3)); // three lines of 40,000 bytes
    expect(batchEnd(lines, 0, lines.length - 1)).toBe(40_000);
    expect(batchEnd(lines, 40_000, lines.length - 1)).toBe(80_000);
    const long = Buffer.from(`${'x'.repeat(99_999)}\nab\n`);
    expect(batchEnd(long, 0, long.length - 1)).toBe(100_000);
  });

  it('splits the complete lines of a chunk into consecutive batches of whole lines', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30_000 }), { minLength: 1, maxLength: 12 }), (lengths) => {
        const chunk = Buffer.from(lengths.map((n) => `${'y'.repeat(n)}\n`).join(''));
        const last = chunk.length - 1;
        let start = 0;
        while (start <= last) {
          const end = batchEnd(chunk, start, last);
          expect(end).toBeGreaterThan(start);
          expect(chunk[end - 1]).toBe(0x0a);
          const newlines = chunk.subarray(start, end).filter((b) => b === 0x0a).length;
          if (newlines > 1) expect(end - start).toBeLessThanOrEqual(1 << 16);
          start = end;
        }
        expect(start).toBe(chunk.length);
      }),
      { numRuns: 50 },
    );
  });
});

describe('fileChunks', () => {
  it('reads a file in chunks of a megabyte at most, every byte once and in order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vla-r1-reward-chunks-'));
    try {
      const file = join(dir, 'data.bin');
      const data = Buffer.alloc(2_500_000 + 17, 0);
      for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
      writeFileSync(file, data);
      const sizes: number[] = [];
      const copies: Buffer[] = [];
      for await (const chunk of fileChunks(file)) {
        sizes.push(chunk.length);
        copies.push(Buffer.from(chunk)); // a chunk is valid only until the next one
      }
      expect(sizes).toEqual([1 << 20, 1 << 20, data.length - 2 * (1 << 20)]);
      expect(Buffer.concat(copies).equals(data)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scoreRewardStream output buffers', () => {
  it('writes the same text as one batch when the output spans many batches, chunks and buffer turns', async () => {
    const line = JSON.stringify({ response: PRED_BOX, ground_truth: GT_BOX });
    const text = `${line}\n`.repeat(12_000); // ~2.4 MB of input, ~1.7 MB of output
    const bytes = Buffer.from(text, 'utf8');
    const buffers = [bytes.subarray(0, 1 << 20), bytes.subarray(1 << 20, 2 << 20), bytes.subarray(2 << 20)];
    const sink = slowSink();
    const summary = await scoreRewardStream(chunked(buffers), sink.stream, { ...OPTIONS, source: 'mem' });
    expect(summary).toEqual({ lines: 12_000, failed: 0, outputClosed: false });
    expect(sink.text()).toBe(scoreRewardBatch(text, 1, OPTIONS).output);
  });
});

function notJson(text: string): string {
  try {
    JSON.parse(text);
    return 'parsed';
  } catch (error: unknown) {
    return `not valid JSON (${(error as Error).message})`;
  }
}
