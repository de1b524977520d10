import { describe, expect, it } from 'vitest';
import { SERVICE_SEMI_SPACE_MB, serviceExecArgv } from './cluster-primary.js';

describe('serviceExecArgv', () => {
  it('adds a larger young generation to the primary flags', () => {
    expect(SERVICE_SEMI_SPACE_MB).toBe(64);
    expect(serviceExecArgv([], undefined)).toEqual(['--max-semi-space-size=64']);
    expect(serviceExecArgv(['--enable-source-maps'], '')).toEqual(['--enable-source-maps', '--max-semi-space-size=64']);
  });

  it('keeps the user choice from the command line or NODE_OPTIONS', () => {
    expect(serviceExecArgv(['--max-semi-space-size=16'], undefined)).toEqual(['--max-semi-space-size=16']);
    expect(serviceExecArgv([], '--inspect --max_semi_space_size=8')).toEqual([]);
  });
});
