/**
 * The procedural tabletop as a 3-D scene graph: types, camera, sampling, rendering, tasks, language. The
 * simulator reuses the scene, the camera (and its inverse, {@link normalisedToPlane}) and the renderer.
 */
export type { Scene, SceneObject, Part, PartName, Primitive, Material, Pose, Camera, Gripper, Lighting, Table, TableTexture, Rgb } from './types.js';
export type { Vec2, Vec3 } from './vec.js';
export { Random, deriveSeed } from './random.js';
export { createLookAtCamera, resizeCamera, projectPoint, projectNormalised, pixelToNormalised, normalisedToPlane, pixelRay, worldToCamera } from './camera.js';
export { CATEGORIES, categoryByName, type Category } from './catalog.js';
export { PALETTE, PALETTE_NAMES } from './colours.js';
export { SCATTERED_LAYOUT, CROWDED_LAYOUT, type LayoutSpec, type SceneDistribution } from './distribution.js';
export { sampleScene, type SampleSceneOptions, type ObjectRequest } from './sample-scene.js';
export { objectToWorld, objectPixelBox, partPixelBox, footprintPolygon, objectHeight } from './geometry.js';
export { gripperPieces } from './gripper.js';
export { drawScene, renderScenePng, paintOrder } from './render.js';
export { encodePng } from './png.js';
export { planPath, type PlannedPath, type PlannerObstacle } from './planner.js';
export { affordanceTask, trajectoryTask, graspPoint, waypointsAlong, type SceneTask, type AffordanceTask, type TrajectoryTask, type TaskMode, type PlaceRelation } from './tasks.js';
export { writeInstruction, TEMPLATES } from './instructions.js';
export { writeRationale } from './rationale.js';
export { visibleFraction } from './visibility.js';
