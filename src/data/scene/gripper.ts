/**
 * The end-effector as primitives: a two-finger parallel gripper (rotated by the gripper's yaw) and the arm it
 * hangs from (a short wrist, an elbow and a horizontal link reaching back over the table, away from the
 * camera), so the renderer, the occlusion check and the simulator share one shape.
 */
import type { Gripper, Primitive, SceneObject, Material } from './types.js';
import type { Vec3 } from './vec.js';

const STEEL: Material = { colour: [150, 154, 160], gloss: 0.7 };
const DARK: Material = { colour: [58, 60, 66], gloss: 0.4 };
const ORANGE: Material = { colour: [226, 120, 36], gloss: 0.3 };
const WHITE: Material = { colour: [224, 224, 220], gloss: 0.3 };

/** A drawable piece of the robot and the world point that orders it in the painter's algorithm. */
export interface RobotPiece {
  readonly drawable: Pick<SceneObject, 'pose' | 'body' | 'parts'>;
  readonly anchor: Vec3;
}

/** Height of the arm's horizontal link above the tool centre point (metres). */
export const ARM_HEIGHT = 0.13;

/**
 * The gripper's hand and arm as drawable pieces (primitive z values are world heights).
 *
 * @example
 * for (const piece of gripperPieces(scene.gripper)) draw(piece.drawable);
 */
export function gripperPieces(gripper: Gripper): RobotPiece[] {
  const [x, y, z] = gripper.position;
  const half = gripper.opening / 2;
  const hand: Primitive[] = [
    { shape: 'box', centre: [half + 0.004, 0, z + 0.02], size: [0.008, 0.016, 0.04], material: STEEL },
    { shape: 'box', centre: [-half - 0.004, 0, z + 0.02], size: [0.008, 0.016, 0.04], material: STEEL },
    { shape: 'box', centre: [0, 0, z + 0.048], size: [gripper.opening + 0.022, 0.026, 0.016], material: DARK },
    { shape: 'cylinder', centre: [0, 0, z + 0.08], axis: 'z', radius: 0.02, radiusTop: 0.022, length: 0.048, material: ORANGE },
  ];
  const arm: Primitive[] = [
    { shape: 'cylinder', centre: [0, 0, z + 0.115], axis: 'z', radius: 0.022, radiusTop: 0.022, length: 0.03, material: WHITE },
    { shape: 'sphere', centre: [0, 0, z + ARM_HEIGHT], radii: [0.026, 0.026, 0.026], material: WHITE },
    { shape: 'cylinder', centre: [0, 0.25, z + ARM_HEIGHT], axis: 'y', radius: 0.024, radiusTop: 0.024, length: 0.5, material: WHITE },
  ];
  return [
    { drawable: { pose: { x, y, yaw: gripper.yaw }, body: hand, parts: [] }, anchor: [x, y, z + 0.04] },
    { drawable: { pose: { x, y, yaw: 0 }, body: arm, parts: [] }, anchor: [x, y, z + ARM_HEIGHT] },
  ];
}
