import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseByteSize, registerServe } from './serve.js';

describe('parseByteSize', () => {
  it('reads plain bytes and binary k/m/g suffixes', () => {
    expect(parseByteSize('1048576')).toBe(1_048_576);
    expect(parseByteSize('8m')).toBe(8 * 1024 * 1024);
    expect(parseByteSize('512KiB')).toBe(512 * 1024);
    expect(parseByteSize(' 1.5 MB ')).toBe(1_572_864);
    expect(parseByteSize('1g')).toBe(1024 ** 3);
  });

  it('rejects anything else', () => {
    expect(() => parseByteSize('8 megabytes')).toThrow('expected a size such as 8388608, 512k or 8m, got "8 megabytes"');
    expect(() => parseByteSize('-1')).toThrow();
    expect(() => parseByteSize('0')).toThrow('the size must be at least 1 byte, got "0"');
  });
});

describe('vla-r1 serve reward options', () => {
  function parse(args: string[]): string {
    const program = new Command('vla-r1').exitOverride();
    let err = '';
    program.configureOutput({ writeErr: (text) => (err += text), writeOut: () => undefined });
    registerServe(program);
    for (const sub of program.commands) {
      sub.exitOverride().configureOutput({ writeErr: (text) => (err += text) });
      for (const leaf of sub.commands) leaf.exitOverride().configureOutput({ writeErr: (text) => (err += text) }).action(() => undefined);
    }
    try {
      program.parse(['node', 'vla-r1', 'serve', 'reward', ...args]);
    } catch {
      // commander's exit
    }
    return err;
  }

  it('names the flag and the bad value', () => {
    expect(parse(['--port', '70000'])).toContain('--port must be an integer in [0, 65535], got "70000"');
    expect(parse(['--workers', '-1'])).toContain('--workers must be an integer in [0, 256], got "-1"');
    expect(parse(['--workers', '1.5'])).toContain('--workers must be an integer in [0, 256], got "1.5"');
    expect(parse(['--body-limit', 'lots'])).toContain('expected a size such as 8388608, 512k or 8m, got "lots"');
    expect(parse(['--lambda-angle', '-0.5'])).toContain('--lambda-angle must be a number >= 0, got "-0.5"');
  });

  it('accepts good values', () => {
    expect(parse(['--port', '0', '--workers', '4', '--body-limit', '16m', '--host', '::1'])).toBe('');
  });
});
