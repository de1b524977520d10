/**
 * The two discrete Fréchet recurrences of the ALAF kernel (over the ALAF costs and over the plain distances)
 * as one WebAssembly SIMD loop, for speed with the same results bit for bit. Each cell holds the pair
 * (ALAF cost, distance) in the two lanes of a `v128`, and
 *
 *     C(i, j) = f64x2.pmax(f64x2.pmin(f64x2.pmin(C(i−1, j), C(i−1, j−1)), C(i, j−1)), cost(i, j))
 *
 * where `f64x2.pmin(a, b)` is `b < a ? b : a` and `f64x2.pmax(a, b)` is `a < b ? b : a` lane by lane: exactly
 * Python's `min(a, b)` and `max(a, b)` (NaN included), so the values are the official ones bit for bit. Each is
 * one instruction; in JavaScript, a selection is a data-dependent branch (mispredicted about half the time) or a
 * branch-free sequence of several instructions, and the recurrences cost several times more.
 *
 * The module (~150 bytes) is assembled below from named instructions. {@link frechetSimdAvailable} is false
 * where WebAssembly or its SIMD is missing (e.g. `node --jitless`); the caller then runs the JavaScript loop.
 *
 * Memory: the rolling row (n cells) at the start, then the costs of a block of rows (see
 * {@link frechetBlockRows}); a longer trajectory is processed block by block, the row carrying over.
 *
 * @module
 */

/** Bytes of one cell: the two doubles (ALAF, plain). */
const CELL = 16;
const PAGE = 65536;
/** Cells of a block of rows at least (when the rows are short), before the memory grows for long rows. */
const MIN_BLOCK_CELLS = 4096;

// --- a minimal WebAssembly encoder: only what the module below uses -------------------------------------

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** A length-prefixed vector of byte sequences. */
function vector(items: readonly (readonly number[])[]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, bytes: readonly number[]): number[] {
  return [id, ...uleb(bytes.length), ...bytes];
}

function name(text: string): number[] {
  return vector([...text].map((c) => [c.charCodeAt(0)]));
}

const I32 = 0x7f;
const V128 = 0x7b;
const get = (local: number): number[] => [0x20, ...uleb(local)];
const set = (local: number): number[] => [0x21, ...uleb(local)];
const tee = (local: number): number[] => [0x22, ...uleb(local)];
/** `i32.const` of 0 ≤ value < 64 (where the signed LEB128 it takes is one unsigned byte). */
const i32Const = (value: number): number[] => [0x41, ...uleb(value)];
const I32_ADD = [0x6a];
const I32_SHL = [0x74];
const I32_LT_U = [0x49];
const I32_EQZ = [0x45];
const LOAD = [0xfd, 0x00, 0x04, 0x00]; // v128.load align=16 offset=0
const STORE = [0xfd, 0x0b, 0x04, 0x00]; // v128.store align=16 offset=0
const PMIN = [0xfd, ...uleb(246)]; // f64x2.pmin
const PMAX = [0xfd, ...uleb(247)]; // f64x2.pmax
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const END = [0x0b];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];

/** `while (a < b) { body }` on unsigned i32 locals. */
function whileBelow(a: number, b: number, body: readonly number[]): number[] {
  return [...BLOCK, ...LOOP, ...get(a), ...get(b), ...I32_LT_U, ...I32_EQZ, ...brIf(1), ...body, ...br(0), ...END, ...END];
}

/** `local += step`. */
function advance(local: number, step: number): number[] {
  return [...get(local), ...i32Const(step), ...I32_ADD, ...set(local)];
}

// rows(cost, count, n, row, first): parameters 0..4, then the locals
const COST = 0;
const COUNT = 1;
const N = 2;
const ROW = 3;
const FIRST = 4;
const J = 5; // address of cell j of the row
const ROW_END = 6;
const I = 7;
const LEFT = 8; // C(i, j − 1)
const DIAG = 9; // C(i − 1, j − 1)
const UP = 10; // C(i − 1, j)

/**
 * `rows(cost, count, n, row, first)`: advance the recurrences by `count` rows whose costs start at byte `cost`,
 * the previous row being the `n` cells at byte `row` (overwritten by the last row); with `first`, the first of
 * them is row 0.
 */
const ROWS_BODY = [
  ...get(ROW), ...get(N), ...i32Const(4), ...I32_SHL, ...I32_ADD, ...set(ROW_END),
  // row 0: C(0, 0) = cost, C(0, j) = max(C(0, j − 1), cost)
  ...get(FIRST), ...IF,
  ...get(COST), ...LOAD, ...set(LEFT),
  ...get(ROW), ...get(LEFT), ...STORE,
  ...advance(COST, CELL),
  ...get(ROW), ...i32Const(CELL), ...I32_ADD, ...set(J),
  ...whileBelow(J, ROW_END, [
    ...get(J), ...get(LEFT), ...get(COST), ...LOAD, ...PMAX, ...tee(LEFT), ...STORE,
    ...advance(COST, CELL),
    ...advance(J, CELL),
  ]),
  ...i32Const(1), ...set(I),
  ...END,
  // rows i > 0: C(i, 0) = max(C(i − 1, 0), cost), C(i, j) = max(min(C(i − 1, j), C(i − 1, j − 1), C(i, j − 1)), cost)
  ...whileBelow(I, COUNT, [
    ...get(ROW), ...LOAD, ...tee(DIAG), ...get(COST), ...LOAD, ...PMAX, ...set(LEFT),
    ...get(ROW), ...get(LEFT), ...STORE,
    ...advance(COST, CELL),
    ...get(ROW), ...i32Const(CELL), ...I32_ADD, ...set(J),
    ...whileBelow(J, ROW_END, [
      ...get(J), ...LOAD, ...tee(UP), ...get(DIAG), ...PMIN, ...get(LEFT), ...PMIN,
      ...get(COST), ...LOAD, ...PMAX, ...set(LEFT),
      ...get(J), ...get(LEFT), ...STORE,
      ...get(UP), ...set(DIAG),
      ...advance(COST, CELL),
      ...advance(J, CELL),
    ]),
    ...advance(I, 1),
  ]),
  ...END,
];

/** The module: imports `env.memory`, exports `rows`. */
function moduleBytes(): Uint8Array {
  const body = [...vector([[3, I32], [3, V128]]), ...ROWS_BODY]; // locals J, ROW_END, I; LEFT, DIAG, UP
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32]]), 0x00]])), // type: (i32 × 5) → ()
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])), // import memory (min 1 page)
    ...section(3, vector([[0x00]])), // one function, of type 0
    ...section(7, vector([[...name('rows'), 0x00, 0x00]])), // exported as "rows"
    ...section(10, vector([[...uleb(body.length), ...body]])),
  ]);
}

// --- the instance ----------------------------------------------------------------------------------------

/** The few WebAssembly APIs used here (the TypeScript libraries for Node 20 do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
type RowsFunction = (cost: number, count: number, n: number, row: number, first: number) => void;

let memory: WasmMemory | undefined;
let rows: RowsFunction | undefined;
/** The memory as doubles (replaced when the memory grows). */
let cells = new Float64Array(0);
let unavailable = false;
let enabled = true;

function instantiate(): boolean {
  if (rows !== undefined) return true;
  if (unavailable) return false;
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    const bytes = moduleBytes();
    if (wasm === undefined || !wasm.validate(bytes)) throw new Error('no WebAssembly SIMD');
    memory = new wasm.Memory({ initial: 1 });
    rows = new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports.rows as RowsFunction;
    cells = new Float64Array(memory.buffer);
    return true;
  } catch {
    unavailable = true;
    return false;
  }
}

/**
 * Whether the SIMD recurrences can run here (instantiating them on first use).
 *
 * @example
 * if (!frechetSimdAvailable()) console.warn('the JavaScript recurrences will be used');
 */
export function frechetSimdAvailable(): boolean {
  return enabled && instantiate();
}

/**
 * Use the SIMD recurrences where available (the default), or not: the JavaScript recurrences then run, as
 * without WebAssembly. For tests and for comparing the two.
 *
 * @example
 * useFrechetSimd(false); // …; useFrechetSimd(true);
 */
export function useFrechetSimd(use: boolean): void {
  enabled = use;
}

/**
 * Make room for a row of `n` cells and a block of cost rows; returns how many rows a block holds. The costs of
 * a block go into {@link frechetCells} from double index `2n`: ALAF cost and distance of pair (r, j) of the
 * block at `2n + 2(r·n + j)` and the next index. Call before filling costs: growing the memory replaces the
 * array. Requires {@link frechetSimdAvailable}.
 *
 * @example
 * const rowsPerBlock = frechetBlockRows(8);
 */
export function frechetBlockRows(n: number): number {
  const blockRows = n >= MIN_BLOCK_CELLS ? 1 : Math.floor(MIN_BLOCK_CELLS / n);
  const needed = CELL * n * (1 + blockRows);
  if (8 * cells.length < needed) {
    // (the memory's `buffer` is a slow accessor: its size is read from `cells` on the usual path)
    const mem = memory!;
    mem.grow(Math.ceil((needed - mem.buffer.byteLength) / PAGE));
    cells = new Float64Array(mem.buffer);
  }
  return blockRows;
}

/** The memory as doubles: the row at `[0, 2n)`, the costs of a block from `2n` (valid until the next {@link frechetBlockRows}). */
export function frechetCells(): Float64Array {
  return cells;
}

/**
 * Advance both recurrences over the `count` rows of costs of the block (see {@link frechetBlockRows}), starting
 * from row 0 when `first`, else from the row left by the previous call. The last row is then at
 * `frechetCells()[0..2n)`: the ALAF distance at `2(n − 1)`, the plain discrete Fréchet distance at `2n − 1`.
 *
 * @example
 * frechetBlockRows(2);
 * frechetCells().set([0, 0, 1, 1, 1, 1, 0, 0], 4); // 2 × 2 pairs (ALAF cost, distance)
 * frechetSimdRows(2, 2, true);
 * frechetCells()[2]; // 0: the path (0, 0) → (1, 1)
 */
export function frechetSimdRows(count: number, n: number, first: boolean): void {
  rows!(CELL * n, count, n, 0, first ? 1 : 0);
}
