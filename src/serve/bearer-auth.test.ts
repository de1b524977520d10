import { describe, expect, it } from 'vitest';
import { presentedToken, tokenMatches } from './bearer-auth.js';

const url = (q = '') => new URL(`http://127.0.0.1:5000/get_reward${q}`);

describe('presentedToken', () => {
  it('reads a bearer Authorization header, case-insensitively', () => {
    expect(presentedToken({ headers: { authorization: 'Bearer abc123' } }, url())).toBe('abc123');
    expect(presentedToken({ headers: { authorization: 'bearer  abc123 ' } }, url())).toBe('abc123');
  });

  it('ignores other schemes (and does not fall back to the query then)', () => {
    expect(presentedToken({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }, url('?token=abc'))).toBeUndefined();
  });

  it('falls back to a token query parameter', () => {
    expect(presentedToken({ headers: {} }, url('?token=abc%2B1'))).toBe('abc+1');
    expect(presentedToken({ headers: {} }, url())).toBeUndefined();
  });
});

describe('tokenMatches', () => {
  it('accepts the exact token only', () => {
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cre', 's3cret')).toBe(false);
    expect(tokenMatches('s3cret ', 's3cret')).toBe(false);
    expect(tokenMatches(undefined, 's3cret')).toBe(false);
    expect(tokenMatches('', 's3cret')).toBe(false);
  });
});
