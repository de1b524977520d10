/**
 * Atomic file writes: write a temporary file next to the target, then rename it over the target. Readers see
 * either the old file or the complete new one, never a partial write.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * Write `data` to `file` atomically, creating parent folders.
 *
 * @throws UserError naming the file when it cannot be written.
 * @example
 * await writeFileAtomic('out/train.json', '[]\n');
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error: unknown) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new UserError(`${file}: cannot write: ${(error as Error).message}`);
  }
}
