/**
 * The `vla-r1` command as a process: behaviour shared by every subcommand. Spawns the compiled CLI (`npm run
 * build` first; `npm test` does it).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(fileURLToPath(new URL('../', import.meta.url)), 'dist/src/cli/main.js');

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before this test`);
});

/** Run the CLI with its standard output closed by the reader before anything is written (as `| head` does). */
function runWithClosedOutput(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('vla-r1', () => {
  it('ends quietly when the reader of its output goes away (EPIPE), as in `vla-r1 eval --help | head -1`', async () => {
    for (const args of [['eval', '--help'], ['--help']]) {
      const run = await runWithClosedOutput(args);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    }
  });
});
