#!/usr/bin/env node
/**
 * The `vla-r1` command. Each subcommand lives in its own file under `src/cli/commands/` and is
 * registered here. User mistakes ({@link UserError}) print one clear line and no stack trace.
 *
 * Start-up is kept short for the commands that run once per training step (`vla-r1 reward`): they are listed in
 * {@link STANDALONE_COMMANDS} and, when one of them is the command being run, only its own module is loaded (not
 * the others, which pull in zod and the policy clients). Every other invocation (including `--help`) registers
 * all commands, so the command list and help output are the same.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { isUserError } from '../errors.js';

function packageVersion(): string {
  const url = new URL('../../../package.json', import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

type Register = (program: Command) => void;

/** Commands registered on their own when they are the one being run (loaded lazily, one module each). */
const STANDALONE_COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  reward: async () => (await import('./commands/reward.js')).registerReward,
};

/** The subcommand named by `argv` (`node script [rootOptions] command …`): the first argument not starting with `-`. */
function commandName(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((arg) => !arg.startsWith('-'));
}

/**
 * Build the root command (exported for tests). With `argv`, a command of {@link STANDALONE_COMMANDS} being run
 * is registered alone; otherwise every command is.
 *
 * @example
 * const program = await buildProgram();
 * await program.parseAsync(['node', 'vla-r1', 'reward', '-i', 'pairs.jsonl']);
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('vla-r1')
    .description('VLA-R1: reason, then act. Data, CoT-SFT, GRPO with verifiable rewards, evaluation and serving.')
    .version(packageVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  const name = commandName(argv);
  const standalone = name !== undefined && Object.hasOwn(STANDALONE_COMMANDS, name) ? STANDALONE_COMMANDS[name] : undefined;
  if (standalone !== undefined) (await standalone())(program);
  else (await import('./commands/index.js')).registerCommands(program);
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
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

/**
 * A reader that goes away early (`vla-r1 eval --help | head`) closes standard output: later writes fail with
 * EPIPE, which is no error of the command's, so they are dropped rather than crashing it with a stack trace.
 * Commands that stream their output (`vla-r1 reward`) also see the error on their own stream and stop early.
 */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`vla-r1: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 70;
  },
);
