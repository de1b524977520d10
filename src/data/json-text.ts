/**
 * JSON and JSON Lines text with positions: where each record of a dataset file starts, and where a broken
 * file breaks (line and column), so that errors can name `FILE: record N (line L)` or `FILE: line L, column C`.
 *
 * Values are parsed by the native `JSON.parse` (fast); positions come from two small scanners:
 * {@link topLevelElementLines} (element start lines of a valid JSON array) and {@link findJsonSyntaxError}
 * (a validating recursive-descent pass run only when `JSON.parse` has already failed).
 */
import { UserError } from '../errors.js';

/** A JSON syntax error at a 1-based line and column (columns count UTF-16 code units). */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** One value of a dataset file and the 1-based line where it starts. */
export interface JsonItem {
  readonly value: unknown;
  readonly line: number;
}

/** How a dataset file was laid out. */
export type JsonLayout = 'json-array' | 'jsonl';

class SyntaxFailure {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/**
 * The 1-based line and column of `offset` in `text`.
 *
 * @example
 * lineColumnAt('{\n  "a": x}', 9); // { line: 2, column: 8 }
 */
export function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describeChar(text: string, offset: number): string {
  if (offset >= text.length) return 'end of input';
  const ch = text[offset] ?? '';
  if (ch === '\n') return 'a line break';
  if (ch === '\t') return 'a tab';
  return `'${ch}'`;
}

/**
 * Locate the first syntax error of `text` as strict JSON (RFC 8259), or `undefined` when it is valid.
 * Messages say what was expected, e.g. `expected ',' or '}' after a property value, found '"'`.
 *
 * @example
 * findJsonSyntaxError('[1, 2,]');
 * // { offset: 6, line: 1, column: 7, message: "expected a value, found ']'" }
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  let i = 0;

  const skipSpace = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const fail = (message: string, at = i): never => {
    throw new SyntaxFailure(at, message);
  };
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

  const parseString = (): void => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('unterminated string (no closing \'"\')', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail(`${describeChar(text, i)} inside a string must be escaped`);
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === undefined) fail('unterminated string (no closing \'"\')', start);
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape: expected 4 hex digits');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2;
        } else {
          fail(`bad escape '\\${e ?? ''}' in a string`);
        }
      } else {
        i++;
      }
    }
  };

  const parseNumber = (): void => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (i < n && isDigit(text.charCodeAt(i))) while (i < n && isDigit(text.charCodeAt(i))) i++;
    else fail(`expected a digit, found ${describeChar(text, i)}`);
    if (text[i] === '.') {
      i++;
      if (!(i < n && isDigit(text.charCodeAt(i)))) fail(`expected a digit after '.', found ${describeChar(text, i)}`);
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!(i < n && isDigit(text.charCodeAt(i)))) fail(`expected a digit in the exponent, found ${describeChar(text, i)}`);
      while (i < n && isDigit(text.charCodeAt(i))) i++;
    }
  };

  const parseValue = (): void => {
    skipSpace();
    if (i >= n) fail('expected a value, found end of input');
    const ch = text[i];
    if (ch === '{') return parseObject();
    if (ch === '[') return parseArray();
    if (ch === '"') return parseString();
    if (ch === '-' || (ch !== undefined && isDigit(text.charCodeAt(i)))) return parseNumber();
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (ch === "'") fail("strings must use double quotes, found '''");
    fail(`expected a value, found ${describeChar(text, i)}`);
  };

  const parseArray = (): void => {
    i++; // [
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      parseValue();
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']' after an array element, found ${describeChar(text, i)}`);
    }
  };

  const parseObject = (): void => {
    i++; // {
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describeChar(text, i)}`);
      parseString();
      skipSpace();
      if (text[i] !== ':') fail(`expected ':' after a property name, found ${describeChar(text, i)}`);
      i++;
      parseValue();
      skipSpace();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail(`expected ',' or '}' after a property value, found ${describeChar(text, i)}`);
    }
  };

  try {
    parseValue();
    skipSpace();
    if (i < n) fail(`unexpected ${describeChar(text, i)} after the end of the JSON value`);
    return undefined;
  } catch (error: unknown) {
    let failure: SyntaxFailure;
    if (error instanceof SyntaxFailure) failure = error;
    else if (error instanceof RangeError) failure = new SyntaxFailure(i, 'nesting too deep');
    else throw error;
    return { offset: failure.offset, ...lineColumnAt(text, failure.offset), message: failure.message };
  }
}

/**
 * The 1-based start line of every element of a **valid** JSON array text (top level only).
 *
 * @example
 * topLevelElementLines('[\n  {"a": 1},\n  {"a": 2}\n]'); // [2, 3]
 */
export function topLevelElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    if (inString) {
      if (c === 0x5c) i++; // skip the escaped char (never a newline in valid JSON)
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    if (depth === 1 && expectElement && c !== 0x5d) {
      lines.push(line);
      expectElement = false;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === 0x5d || c === 0x7d) depth--;
    else if (c === 0x2c && depth === 1) expectElement = true;
  }
  return lines;
}

/**
 * Whether a dataset text is a JSON array (first non-blank character `[`) or JSON Lines (anything else).
 *
 * @example
 * detectJsonLayout('  [{"a": 1}]'); // 'json-array'
 * detectJsonLayout('{"a": 1}\n{"a": 2}\n'); // 'jsonl'
 */
export function detectJsonLayout(text: string): JsonLayout {
  const first = /\S/.exec(text);
  return first?.[0] === '[' ? 'json-array' : 'jsonl';
}

function syntaxUserError(file: string, text: string, lineOffset = 0): UserError {
  const error = findJsonSyntaxError(text);
  if (error === undefined) return new UserError(`${file}: invalid JSON`);
  return new UserError(`${file}: line ${error.line + lineOffset}, column ${error.column}: invalid JSON: ${error.message}`);
}

/**
 * Parse a dataset text, a JSON array or JSON Lines (detected by {@link detectJsonLayout}), into its items with
 * their start lines. Blank JSONL lines are skipped. A UTF-8 byte-order mark is ignored.
 *
 * @throws UserError `FILE: line L, column C: invalid JSON: …` for broken JSON, or `FILE: expected a JSON array …`.
 * @example
 * parseJsonItems('{"a": 1}\n\n{"a": 2}\n', 'd.jsonl');
 * // { layout: 'jsonl', items: [{ value: { a: 1 }, line: 1 }, { value: { a: 2 }, line: 3 }] }
 */
export function parseJsonItems(text: string, file: string): { layout: JsonLayout; items: JsonItem[] } {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const layout = detectJsonLayout(body);
  if (layout === 'json-array') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      throw syntaxUserError(file, body);
    }
    if (!Array.isArray(value)) throw new UserError(`${file}: expected a JSON array of records`);
    const lines = topLevelElementLines(body);
    return { layout, items: value.map((v: unknown, k) => ({ value: v, line: lines[k] ?? 1 })) };
  }
  const items: JsonItem[] = [];
  const rows = body.split('\n');
  for (let k = 0; k < rows.length; k++) {
    const row = rows[k] ?? '';
    if (row.trim() === '') continue;
    try {
      items.push({ value: JSON.parse(row), line: k + 1 });
    } catch {
      throw syntaxUserError(file, row, k);
    }
  }
  return { layout, items };
}
