import type { z } from 'zod';

/** One validation problem, with the field it concerns written the way a client would index it. */
export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * Write a zod issue path as a field reference: `query[3]`, `labels`, `body[2].ground_truth`,
 * `body[0].options.lambdaAngle`; an empty path is the whole body (`root`).
 *
 * @example
 * fieldPath(['query', 3]); // 'query[3]'
 * fieldPath([2, 'ground_truth']); // 'body[2].ground_truth'
 */
export function fieldPath(path: readonly PropertyKey[], root = 'body'): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  if (out === '') return root;
  return out.startsWith('[') ? `${root}${out}` : out;
}

/**
 * The issues of a zod error as `{field, message}` pairs (at most `limit`), with zod's generic
 * "Invalid input: " prefix dropped and unrecognised keys named.
 *
 * @example
 * const r = z.object({ query: z.array(z.string()) }).safeParse({ query: [1] });
 * if (!r.success) fieldIssues(r.error); // [{ field: 'query[0]', message: 'expected string, received number' }]
 */
export function fieldIssues(error: z.ZodError, limit = 20): FieldIssue[] {
  return error.issues.slice(0, limit).map((issue) => {
    const message = issue.message.replace(/^Invalid input: /, '');
    return { field: fieldPath(issue.path), message };
  });
}

/**
 * One line describing a zod error: the first issue's field and message, and how many more there are.
 *
 * @example
 * describeZodError(error); // 'labels[1]: expected string, received null (and 2 more problems)'
 */
export function describeZodError(error: z.ZodError): string {
  const [first] = fieldIssues(error, 1);
  if (first === undefined) return 'body: invalid';
  const more = error.issues.length - 1;
  return `${first.field}: ${first.message}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : ''}`;
}
