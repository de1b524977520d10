/**
 * What a split samples from: categories, colours, object counts, camera and table ranges. The in-domain and
 * out-of-domain splits differ only through these values (see src/data/synth-splits.ts and docs/DATA.md).
 */

/** A named layout family: how many objects, how tightly packed, and where the camera looks from. */
export interface LayoutSpec {
  readonly name: string;
  /** Number of objects on the table, inclusive range. */
  readonly objectCount: readonly [number, number];
  /** Half-extents (metres) of the table region objects are placed in: x, then y around the table centre. */
  readonly region: readonly [number, number];
  /** Minimum gap between object footprints (metres). */
  readonly minGap: number;
  /** Camera elevation above the table plane (radians). */
  readonly elevation: readonly [number, number];
  /** Camera distance to its look-at point (metres). */
  readonly distance: readonly [number, number];
  /** Camera azimuth jitter around straight-on (radians). */
  readonly azimuth: number;
  /** Vertical field of view range (radians). */
  readonly fovY: readonly [number, number];
}

/** Everything a split samples scenes from. */
export interface SceneDistribution {
  /** Categories any object may have. */
  readonly categories: readonly string[];
  /** Paint colours manufactured objects may have (fruit keep their natural colours). */
  readonly colours: readonly string[];
  /** Layout families, chosen uniformly. */
  readonly layouts: readonly LayoutSpec[];
}

const DEG = Math.PI / 180;

/** The in-domain layout: 3–5 objects spread over the table, camera 45–57° above the table. */
export const SCATTERED_LAYOUT: LayoutSpec = {
  name: 'scattered',
  objectCount: [3, 5],
  region: [0.26, 0.17],
  minGap: 0.035,
  elevation: [45 * DEG, 57 * DEG],
  distance: [0.78, 0.9],
  azimuth: 8 * DEG,
  fovY: [50 * DEG, 56 * DEG],
};

/** The held-out layout: 6–7 objects packed closer, seen from a steeper (60–66°) camera. */
export const CROWDED_LAYOUT: LayoutSpec = {
  name: 'crowded',
  objectCount: [6, 7],
  region: [0.24, 0.16],
  minGap: 0.015,
  elevation: [60 * DEG, 66 * DEG],
  distance: [0.72, 0.82],
  azimuth: 12 * DEG,
  fovY: [52 * DEG, 56 * DEG],
};
