/**
 * Parse a `vla-r1` subcommand's flags with commander, without running its action: what the flag tests of
 * `src/cli/commands` share.
 */
import { Command } from 'commander';

/**
 * Register commands on a fresh program with `register`, parse `path` (e.g. `['train', 'sft']`) followed by
 * `args`, and return the flags the leaf command's action would receive. Commander errors throw
 * (`CommanderError`) instead of exiting.
 *
 * @example
 * const flags = parseCommand((p) => registerTrain(p), ['train', 'sft'], ['--data', 'd', '--out', 'o']);
 */
export function parseCommand<F>(register: (program: Command) => void, path: readonly string[], args: readonly string[]): F {
  const program = new Command().exitOverride();
  register(program);
  let command = program;
  for (const name of path) {
    command = command.commands.find((c) => c.name() === name) as Command;
    command.exitOverride();
  }
  command.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  let flags = {} as F;
  command.action((f: F) => {
    flags = f;
  });
  program.parse([...path, ...args], { from: 'user' });
  return flags;
}
