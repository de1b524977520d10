/**
 * Reusable Float64Array work space for the trajectory distances, so a call allocates nothing once warm.
 * Safe because the distance functions are synchronous and never re-enter each other while holding a buffer.
 */
const buffers: Float64Array[] = [];

/**
 * Buffer number `slot`, at least `length` long (contents unspecified).
 *
 * @example
 * const row = scratch(Slot.rowA, n);
 */
export function scratch(slot: number, length: number): Float64Array {
  let buf = buffers[slot];
  if (buf === undefined || buf.length < length) {
    buf = new Float64Array(Math.max(length, 16, (buf?.length ?? 0) * 2));
    buffers[slot] = buf;
  }
  return buf;
}

/** Named slots, one per buffer a computation holds at the same time as the others. */
export const Slot = {
  rowA: 0,
  rowB: 1,
  cost: 2,
  rowA2: 3,
  rowB2: 4,
  cost2: 5,
  pFlat: 6,
  qFlat: 7,
} as const;
