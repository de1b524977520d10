import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY?: boolean }).isTTY = isTTY;
  return { stream, text: () => chunks.join('') };
}

describe('createProgress', () => {
  it('stays quiet when piped until done, then prints count, total and rate', () => {
    const out = capture(false);
    const progress = createProgress({ label: 'synth', total: 10, unit: 'samples', stream: out.stream });
    for (let i = 0; i < 10; i++) progress.tick();
    expect(out.text()).toBe('');
    progress.done('ok');
    expect(out.text()).toMatch(/^synth 10\/10 \(100%\) [\d.]+ samples\/s elapsed \d+s eta 0s ok\n$/);
  });

  it('redraws one line on a TTY', () => {
    const out = capture(true);
    const progress = createProgress({ label: 'train', total: 4, stream: out.stream });
    progress.tick(2);
    expect(out.text()).toContain('\r\x1b[Ktrain 2/4 (50%)');
  });

  it('prints nothing when silent', () => {
    const out = capture(true);
    const progress = createProgress({ label: 'x', stream: out.stream, silent: true });
    progress.tick();
    progress.done();
    expect(out.text()).toBe('');
  });
});
