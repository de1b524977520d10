/** The two VLA-R1 task kinds. */
export type TaskKind = 'affordance' | 'trajectory';

/** All task kinds, in a stable order. */
export const TASK_KINDS: readonly TaskKind[] = ['affordance', 'trajectory'];

/**
 * An affordance box in the VLA-R1 answer convention: normalised to [0, 1] of the image,
 * with (x, y) the **centre** of the box.
 */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A box as corners, normalised: (x1, y1) top-left, (x2, y2) bottom-right. */
export interface CornerBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** A 2-D point `[x, y]` in normalised image coordinates. */
export type Point = readonly [number, number];

/** An end-effector trajectory: waypoints in normalised image coordinates. */
export type Trajectory = readonly Point[];

/** The action part of an answer. */
export type Action =
  | { readonly kind: 'affordance'; readonly box: Box }
  | { readonly kind: 'trajectory'; readonly points: Trajectory };
