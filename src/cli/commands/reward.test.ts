import { Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { computeScore } from '../../rewards/index.js';
import { countNewlines } from './reward-lines.js';
import { rewardResultJson, scoreRewardBatch, scoreRewardLine, scoreRewardStream } from './reward.js';

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

function notJson(text: string): string {
  try {
    JSON.parse(text);
    return 'parsed';
  } catch (error: unknown) {
    return `not valid JSON (${(error as Error).message})`;
  }
}
