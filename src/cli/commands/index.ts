import type { Command } from 'commander';

/**
 * Register every subcommand on `program`. One line per command file in this folder.
 */
export function registerCommands(program: Command): void {
  void program;
}
