#!/usr/bin/env node
/**
 * The `vla-r1` command. Each subcommand lives in its own file under `src/cli/commands/` and is
 * registered here. User mistakes ({@link UserError}) print one clear line and no stack trace.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.js';
import { registerCommands } from './commands/index.js';

function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

/** Build the root command (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('vla-r1')
    .description('VLA-R1: reason, then act. Data, CoT-SFT, GRPO with verifiable rewards, evaluation and serving.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error: unknown) {
    if (error instanceof CommanderError) return error.exitCode;
    if (isUserError(error)) {
      process.stderr.write(`vla-r1: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vla-r1: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
