/**
 * A minimal polyfill of the ES2025 iterator helpers (`Iterator.prototype.map`, `.filter`, `.toArray`,
 * `.forEach`) for Node 20. jax-js uses them in `np.einsum` string parsing and therefore in
 * `nn.dotProductAttention`; Node 22+ has them natively, where this module does nothing.
 *
 * Import it for its side effect before calling those jax-js functions.
 *
 * @example
 * import './iterator-helpers.js';
 * [1, 2, 3].values().map((x) => x * 2).toArray(); // [2, 4, 6]
 */
interface IteratorHelpers<T> {
  map<U>(fn: (value: T, index: number) => U): Iterator<U>;
  filter(fn: (value: T, index: number) => boolean): Iterator<T>;
  toArray(): T[];
  forEach(fn: (value: T, index: number) => void): void;
}

const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as Partial<
  IteratorHelpers<unknown>
> &
  Iterable<unknown>;

function* mapGenerator<T, U>(it: Iterator<T>, fn: (value: T, index: number) => U): Generator<U> {
  let i = 0;
  for (let r = it.next(); r.done !== true; r = it.next()) yield fn(r.value, i++);
}

function* filterGenerator<T>(it: Iterator<T>, fn: (value: T, index: number) => boolean): Generator<T> {
  let i = 0;
  for (let r = it.next(); r.done !== true; r = it.next()) if (fn(r.value, i++)) yield r.value;
}

function define(name: string, value: unknown): void {
  if (name in iteratorPrototype) return;
  Object.defineProperty(iteratorPrototype, name, { value, writable: true, configurable: true, enumerable: false });
}

define('map', function map(this: Iterator<unknown>, fn: (value: unknown, index: number) => unknown) {
  return mapGenerator(this, fn);
});
define('filter', function filter(this: Iterator<unknown>, fn: (value: unknown, index: number) => boolean) {
  return filterGenerator(this, fn);
});
define('toArray', function toArray(this: Iterator<unknown>) {
  const out: unknown[] = [];
  for (let r = this.next(); r.done !== true; r = this.next()) out.push(r.value);
  return out;
});
define('forEach', function forEach(this: Iterator<unknown>, fn: (value: unknown, index: number) => void) {
  let i = 0;
  for (let r = this.next(); r.done !== true; r = this.next()) fn(r.value, i++);
});

export {};
