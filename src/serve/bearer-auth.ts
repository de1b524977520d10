import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The environment variable the reward service and its Python clients read the token from. */
export const REWARD_TOKEN_ENV = 'VLA_R1_REWARD_TOKEN';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The token a request presents: `Authorization: Bearer T`, or else a `token` query parameter
 * (for clients that cannot set headers, such as OpenRLHF's `--reward.remote_url`).
 *
 * @example
 * presentedToken({ headers: { authorization: 'Bearer s3cret' } } as IncomingMessage, new URL('http://h/')); // 's3cret'
 */
export function presentedToken(req: Pick<IncomingMessage, 'headers'>, url: URL): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

/**
 * True when `presented` equals `expected`, compared in constant time (over SHA-256 digests, so the
 * comparison does not leak the token length either).
 *
 * @example
 * tokenMatches('s3cret', 's3cret'); // true
 */
export function tokenMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}
