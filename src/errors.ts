/**
 * An error caused by the user's input (a bad file, a bad flag, a bad request), as opposed to a bug.
 *
 * The CLI prints `message` alone, without a stack trace, and exits with `exitCode`.
 * Messages name the place of the problem: `FILE: line N: field: what is wrong`.
 *
 * @example
 * throw new UserError(`${file}: line ${n}: response: expected a string`);
 */
export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** True when `error` is a {@link UserError}. */
export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
