/**
 * Progress for long work: items per second and ETA.
 *
 * On a TTY it redraws one status line on stderr; when piped it stays quiet but logs a plain line
 * every `logEverySeconds` (and at the end), so CI logs and files still show how the work went.
 *
 * @example
 * const progress = createProgress({ label: 'synth', total: 1000, unit: 'samples' });
 * for (let i = 0; i < 1000; i++) progress.tick();
 * progress.done();
 */
export interface Progress {
  /** Count `n` more items done (default 1), optionally with a short status text. */
  tick(n?: number, status?: string): void;
  /** Finish: print the final line (total, rate, wall time). */
  done(status?: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  /** Where to write; defaults to `process.stderr`. */
  stream?: NodeJS.WriteStream;
  /** Disable all output (tests). */
  silent?: boolean;
  logEverySeconds?: number;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(r).padStart(2, '0')}s` : `${r}s`;
}

function formatRate(rate: number): string {
  if (rate >= 100) return rate.toFixed(0);
  if (rate >= 1) return rate.toFixed(1);
  return rate.toFixed(3);
}

/** Create a {@link Progress} reporter. */
export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'it';
  const isTty = stream.isTTY === true;
  const logEvery = (options.logEverySeconds ?? 10) * 1000;
  const start = performance.now();
  let count = 0;
  let lastDraw = 0;
  let lastLog = start;

  const line = (status?: string): string => {
    const elapsed = (performance.now() - start) / 1000;
    const rate = elapsed > 0 ? count / elapsed : 0;
    const total = options.total;
    const head =
      total !== undefined
        ? `${options.label} ${count}/${total} (${total > 0 ? ((100 * count) / total).toFixed(0) : 100}%)`
        : `${options.label} ${count}`;
    const eta = total !== undefined && rate > 0 ? ` eta ${formatDuration((total - count) / rate)}` : '';
    return `${head} ${formatRate(rate)} ${unit}/s elapsed ${formatDuration(elapsed)}${eta}${status ? ` ${status}` : ''}`;
  };

  return {
    tick(n = 1, status?: string) {
      count += n;
      if (options.silent) return;
      const now = performance.now();
      if (isTty) {
        if (now - lastDraw > 100) {
          stream.write(`\r\x1b[K${line(status)}`);
          lastDraw = now;
        }
      } else if (now - lastLog >= logEvery) {
        stream.write(`${line(status)}\n`);
        lastLog = now;
      }
    },
    done(status?: string) {
      if (options.silent) return;
      stream.write(`${isTty ? '\r\x1b[K' : ''}${line(status)}\n`);
    },
  };
}
