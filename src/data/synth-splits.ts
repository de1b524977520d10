/**
 * The splits of the synthetic dataset: `train` and `test` sample the same in-domain distribution (different
 * seeds); `ood` holds out categories, colours, a layout and phrasings that train and test never contain.
 * docs/DATA.md ("Out-of-domain split") describes the same thing for people.
 */
import { CATEGORIES } from './scene/catalog.js';
import { PALETTE_NAMES } from './scene/colours.js';
import { CROWDED_LAYOUT, SCATTERED_LAYOUT, type SceneDistribution } from './scene/distribution.js';
import { TEMPLATES } from './scene/instructions.js';

/** The three splits `data synth` writes. */
export type SplitName = 'train' | 'test' | 'ood';

/** All splits, in the order they are written. */
export const SPLITS: readonly SplitName[] = ['train', 'test', 'ood'];

/** The kind of distribution shift of one out-of-domain sample. */
export type OodShift = 'category' | 'colour' | 'layout' | 'phrasing';

/** The shifts, in the round-robin order OOD sample i uses (`OOD_SHIFTS[i % 4]`). */
export const OOD_SHIFTS: readonly OodShift[] = ['category', 'colour', 'layout', 'phrasing'];

/** What train and test never contain. */
export const HELD_OUT = {
  /** Object categories (a jug has a handle like a mug, a knife a grip like a screwdriver, a pear is a fruit). */
  categories: ['jug', 'knife', 'pear'] as readonly string[],
  /** Paint colours. */
  colours: ['purple', 'pink', 'teal'] as readonly string[],
  /** Layout families (6–7 objects, packed closer, seen from a steeper camera). */
  layouts: [CROWDED_LAYOUT.name] as readonly string[],
  /** Instruction templates. */
  templates: TEMPLATES.filter((t) => t.pool === 'held-out').map((t) => t.id) as readonly string[],
};

/** The in-domain distribution: every category and colour not held out, scattered layout. */
export const IN_DOMAIN: SceneDistribution = {
  categories: CATEGORIES.map((c) => c.name).filter((c) => !HELD_OUT.categories.includes(c)),
  colours: PALETTE_NAMES.filter((c) => !HELD_OUT.colours.includes(c)),
  layouts: [SCATTERED_LAYOUT],
};

/**
 * The shift of OOD sample `index` (round-robin, so every shift gets a quarter of the split).
 *
 * @example
 * oodShift(0); // 'category'
 * oodShift(6); // 'layout'
 */
export function oodShift(index: number): OodShift {
  return OOD_SHIFTS[index % OOD_SHIFTS.length] as OodShift;
}
