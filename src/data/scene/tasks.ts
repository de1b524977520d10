/**
 * Tasks on a scene, with their ground-truth actions and the facts the instruction and rationale are written
 * from: an affordance task (the image box of the named object's actionable part) or a trajectory task (an
 * end-effector path planned in 3-D on the table plane around obstacles, projected into the image).
 */
import type { Action, Box, Point } from '../../protocol/types.js';
import { pixelToNormalised, projectNormalised, projectPoint } from './camera.js';
import { categoryByName } from './catalog.js';
import { objectCentre, referTo, type Reference } from './describe.js';
import { footprintPolygon, objectHeight, objectToWorld, partPixelBox } from './geometry.js';
import { planPath, type PlannerObstacle } from './planner.js';
import { pointPolygonDistance, pointSegmentDistance, polygonDistance } from './polygon.js';
import type { Random } from './random.js';
import type { Part, Scene, SceneObject } from './types.js';
import { visibleFraction, type Visibility } from './visibility.js';
import type { Vec2, Vec3 } from './vec.js';

/** The kinds of task the generator writes. */
export type TaskMode = 'affordance' | 'reach' | 'reach-part' | 'pick-place';

/** Where a picked object goes: into/onto a container, or beside a landmark. */
export type PlaceRelation = 'in' | 'on' | 'left of' | 'right of' | 'in front of' | 'behind';

/** How far (metres) the end-effector keeps from other objects' footprints when it can. */
export const PATH_CLEARANCE = 0.03;
/** Objects closer than this (metres) to a part are "close" in the feasibility check. */
export const CROWDING_DISTANCE = 0.07;
/** Minimum visible fraction of an affordance part, and of a trajectory target. */
export const MIN_PART_VISIBILITY = 0.55;
export const MIN_TARGET_VISIBILITY = 0.4;
/** Largest number of waypoints a trajectory may have. */
export const MAX_WAYPOINTS = 8;

/** Facts of an affordance task. */
export interface AffordanceTask {
  readonly mode: 'affordance';
  readonly target: SceneObject;
  readonly reference: Reference;
  readonly part: Part;
  readonly action: Extract<Action, { kind: 'affordance' }>;
  /** Normalised centres of the part's box and of the whole object's box. */
  readonly partCentre: Vec2;
  readonly objectCentre: Vec2;
  readonly visibility: Visibility;
  /** Other objects whose footprint lies within {@link CROWDING_DISTANCE} of the part's grasp point, nearest first. */
  readonly crowding: readonly number[];
}

/** One leg of a trajectory: from a start to a goal, around the obstacles in the way. */
export interface TrajectoryLeg {
  readonly start: Vec3;
  readonly goal: Vec3;
  /** Path vertices on the table plane (x, y), start and goal included. */
  readonly path: readonly Vec2[];
  /** Objects the straight line start→goal would run into. */
  readonly blocking: readonly number[];
  /** For each blocking object, the side the path passes it on, as seen in the image. */
  readonly passes: readonly { readonly id: number; readonly side: 'left of' | 'right of' | 'in front of' | 'behind' }[];
}

/** Facts of a trajectory task. */
export interface TrajectoryTask {
  readonly mode: 'reach' | 'reach-part' | 'pick-place';
  readonly target: SceneObject;
  readonly reference: Reference;
  /** The part the end-effector goes to (the target's actionable part). */
  readonly part: Part;
  readonly place?: {
    readonly relation: PlaceRelation;
    readonly landmark: SceneObject;
    readonly reference: Reference;
    readonly point: Vec3;
  };
  readonly legs: readonly TrajectoryLeg[];
  /** The end-effector waypoints in the world (metres), start first: what a simulator executes. */
  readonly waypoints: readonly Vec3[];
  readonly action: Extract<Action, { kind: 'trajectory' }>;
  /** Normalised image positions of the gripper, the target and the place point. */
  readonly gripperCentre: Vec2;
  readonly targetCentre: Vec2;
  readonly placeCentre?: Vec2;
}

/** Any task. */
export type SceneTask = AffordanceTask | TrajectoryTask;

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/**
 * The affordance task for `target`: the image box (centre form, normalised) of its actionable part.
 * `undefined` when the part is too hidden or no unambiguous reference exists.
 *
 * @example
 * const task = affordanceTask(scene, scene.objects[0], random);
 * task?.action.box; // { x: 0.42, y: 0.61, width: 0.08, height: 0.1 }
 */
export function affordanceTask(scene: Scene, target: SceneObject, random: Random): AffordanceTask | undefined {
  const category = categoryByName(target.category);
  const part = target.parts.find((p) => p.name === category.part);
  if (!part) return undefined;
  const visibility = visibleFraction(scene, target, part.primitives);
  if (visibility.fraction < MIN_PART_VISIBILITY) return undefined;
  const reference = referTo(scene, target, random);
  if (!reference) return undefined;
  const [x0, y0, x1, y1] = partPixelBox(scene.camera, target, part);
  const [nx0, ny0] = pixelToNormalised(scene.camera, x0, y0);
  const [nx1, ny1] = pixelToNormalised(scene.camera, x1, y1);
  const box: Box = { x: round6((nx0 + nx1) / 2), y: round6((ny0 + ny1) / 2), width: round6(nx1 - nx0), height: round6(ny1 - ny0) };
  const grasp = objectToWorld(target.pose, part.grasp);
  const crowding = scene.objects
    .filter((o) => o.id !== target.id)
    .map((o) => ({ id: o.id, d: pointPolygonDistance([grasp[0], grasp[1]], footprintPolygon(o)) }))
    .filter((x) => x.d < CROWDING_DISTANCE)
    .sort((a, b) => a.d - b.d)
    .map((x) => x.id);
  return {
    mode: 'affordance',
    target,
    reference,
    part,
    action: { kind: 'affordance', box },
    partCentre: [box.x, box.y],
    objectCentre: objectCentre(scene, target),
    visibility,
    crowding,
  };
}

function obstaclesFor(scene: Scene, exclude: readonly number[], start: Vec2, goal: Vec2): PlannerObstacle[] {
  const out: PlannerObstacle[] = [];
  for (const o of scene.objects) {
    if (exclude.includes(o.id)) continue;
    const raw = footprintPolygon(o);
    const room = Math.min(pointPolygonDistance(start, raw), pointPolygonDistance(goal, raw));
    out.push({ id: o.id, polygon: footprintPolygon(o, Math.max(0, Math.min(PATH_CLEARANCE, 0.8 * room))) });
  }
  return out;
}

function passSide(scene: Scene, path: readonly Vec2[], obj: SceneObject): 'left of' | 'right of' | 'in front of' | 'behind' {
  const c: Vec2 = [obj.pose.x, obj.pose.y];
  let best: Vec2 = path[0] as Vec2;
  let bestD = Infinity;
  for (let i = 0; i + 1 < path.length; i++) {
    const a = path[i] as Vec2;
    const b = path[i + 1] as Vec2;
    const dx = b[0] - a[0];
    const dy = b[1] - a[1];
    const len2 = dx * dx + dy * dy;
    const t = len2 > 0 ? Math.min(1, Math.max(0, ((c[0] - a[0]) * dx + (c[1] - a[1]) * dy) / len2)) : 0;
    const p: Vec2 = [a[0] + t * dx, a[1] + t * dy];
    const d = pointSegmentDistance(c, a, b);
    if (d < bestD) [best, bestD] = [p, d];
  }
  const pc = projectPoint(scene.camera, [c[0], c[1], 0]);
  const pp = projectPoint(scene.camera, [best[0], best[1], 0]);
  if (!pc || !pp) return 'left of';
  const du = pp.u - pc.u;
  const dv = pp.v - pc.v;
  if (Math.abs(du) >= Math.abs(dv)) return du < 0 ? 'left of' : 'right of';
  return dv < 0 ? 'behind' : 'in front of';
}

function planLeg(scene: Scene, start: Vec3, goal: Vec3, exclude: readonly number[]): TrajectoryLeg | undefined {
  const s: Vec2 = [start[0], start[1]];
  const g: Vec2 = [goal[0], goal[1]];
  const planned = planPath(s, g, obstaclesFor(scene, exclude, s, g));
  if (!planned) return undefined;
  const passes = planned.blocking.map((id) => ({ id, side: passSide(scene, planned.points, scene.objects[id] as SceneObject) }));
  return { start, goal, path: planned.points, blocking: planned.blocking, passes };
}

/** 3-D vertices of a leg: its table-plane path with the height going linearly (by path length) from start to goal. */
function legVertices(leg: TrajectoryLeg): Vec3[] {
  const lengths = [0];
  for (let i = 1; i < leg.path.length; i++) {
    const a = leg.path[i - 1] as Vec2;
    const b = leg.path[i] as Vec2;
    lengths.push((lengths[i - 1] as number) + Math.hypot(b[0] - a[0], b[1] - a[1]));
  }
  const total = lengths[lengths.length - 1] as number;
  return leg.path.map((p, i) => {
    const t = total > 0 ? (lengths[i] as number) / total : 1;
    return [p[0], p[1], leg.start[2] + t * (leg.goal[2] - leg.start[2])] as Vec3;
  });
}

/**
 * Waypoints along a polyline: its vertices kept, extra points spread over the segments in proportion to their
 * length (largest-remainder), evenly inside each segment. A straight line with `count` 4 gives 4 evenly spaced
 * points.
 *
 * @example
 * waypointsAlong([[0, 0, 0], [3, 0, 0]], 4); // [[0,0,0], [1,0,0], [2,0,0], [3,0,0]]
 */
export function waypointsAlong(vertices: readonly Vec3[], count: number): Vec3[] {
  const segments = vertices.length - 1;
  if (segments < 1) return vertices.slice();
  const lengths: number[] = [];
  for (let i = 0; i < segments; i++) {
    const a = vertices[i] as Vec3;
    const b = vertices[i + 1] as Vec3;
    lengths.push(Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]));
  }
  const pieces = lengths.map(() => 1);
  for (let extra = count - 1 - segments; extra > 0; extra--) {
    let best = 0;
    for (let i = 1; i < segments; i++) if ((lengths[i] as number) / (pieces[i] as number) > (lengths[best] as number) / (pieces[best] as number)) best = i;
    pieces[best] = (pieces[best] as number) + 1;
  }
  const out: Vec3[] = [vertices[0] as Vec3];
  for (let i = 0; i < segments; i++) {
    const a = vertices[i] as Vec3;
    const b = vertices[i + 1] as Vec3;
    const k = pieces[i] as number;
    for (let j = 1; j <= k; j++) {
      const t = j / k;
      out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])]);
    }
  }
  return out;
}

/**
 * How many waypoints a path with `vertices` corners (start and end included) gets: 4 for a straight line (as in
 * the paper's examples), else the vertices plus two, at most {@link MAX_WAYPOINTS}.
 *
 * @example
 * waypointCount(2); // 4
 * waypointCount(3); // 5
 */
export function waypointCount(vertices: number): number {
  return vertices <= 2 ? 4 : Math.min(MAX_WAYPOINTS, vertices + 2);
}

/** The world point an end-effector aims at on an object: its actionable part's grasp point. */
export function graspPoint(obj: SceneObject): { part: Part; point: Vec3 } | undefined {
  const category = categoryByName(obj.category);
  const part = obj.parts.find((p) => p.name === category.part);
  return part ? { part, point: objectToWorld(obj.pose, part.grasp) } : undefined;
}

function normalisedOrUndefined(scene: Scene, p: Vec3): Vec2 | undefined {
  const q = projectNormalised(scene.camera, p);
  if (!q || q[0] < 0.01 || q[0] > 0.99 || q[1] < 0.01 || q[1] > 0.99) return undefined;
  return [q[0], q[1]];
}

/** Where an object of `mover` would be placed `relation` the landmark (table-plane centre), or undefined if blocked. */
function placeSpot(scene: Scene, mover: SceneObject, landmark: SceneObject, relation: PlaceRelation): Vec3 | undefined {
  if (relation === 'in' || relation === 'on') return [landmark.pose.x, landmark.pose.y, objectHeight(landmark) + 0.03];
  const right: Vec2 = [scene.camera.rotation[0][0], scene.camera.rotation[0][1]];
  const rl = Math.hypot(right[0], right[1]) || 1;
  const r: Vec2 = [right[0] / rl, right[1] / rl];
  const away: Vec2 = [-r[1], r[0]];
  const dir: Vec2 = relation === 'left of' ? [-r[0], -r[1]] : relation === 'right of' ? r : relation === 'behind' ? away : [-away[0], -away[1]];
  const moverGrasp = graspPoint(mover);
  if (!moverGrasp) return undefined;
  const lf = footprintPolygon(landmark);
  const moverOffsetX = moverGrasp.point[0] - mover.pose.x;
  const moverOffsetY = moverGrasp.point[1] - mover.pose.y;
  for (let gap = 0.06; gap <= 0.14; gap += 0.02) {
    let reach = 0;
    for (const p of lf) reach = Math.max(reach, (p[0] - landmark.pose.x) * dir[0] + (p[1] - landmark.pose.y) * dir[1]);
    const cx = landmark.pose.x + dir[0] * (reach + gap);
    const cy = landmark.pose.y + dir[1] * (reach + gap);
    const moved: SceneObject = { ...mover, pose: { ...mover.pose, x: cx, y: cy } };
    const fp = footprintPolygon(moved);
    if (scene.objects.some((o) => o.id !== mover.id && polygonDistance(footprintPolygon(o), fp) < 0.015)) continue;
    return [cx + moverOffsetX, cy + moverOffsetY, moverGrasp.point[2]];
  }
  return undefined;
}

/** What {@link trajectoryTask} is asked to build. */
export interface TrajectoryRequest {
  readonly mode: 'reach' | 'reach-part' | 'pick-place';
  readonly target: SceneObject;
  /** Pick-and-place only: the landmark or container and the relation to it. */
  readonly landmark?: SceneObject;
  readonly relation?: PlaceRelation;
}

/**
 * The trajectory task: from the gripper to the target's grasp point (and, for pick-and-place, on to the place
 * point), planned around the other objects on the table plane, 4–8 waypoints projected into the image.
 * `undefined` when the target is too hidden, a path or place spot cannot be found, or a waypoint leaves the
 * image.
 *
 * @example
 * const task = trajectoryTask(scene, { mode: 'reach', target: scene.objects[0] }, random);
 * task?.action.points; // [[0.71, 0.35], …, [0.42, 0.66]]
 */
export function trajectoryTask(scene: Scene, request: TrajectoryRequest, random: Random): TrajectoryTask | undefined {
  const { target } = request;
  const grasp = graspPoint(target);
  if (!grasp) return undefined;
  if (visibleFraction(scene, target, target.body.concat(target.parts.flatMap((p) => p.primitives))).fraction < MIN_TARGET_VISIBILITY) return undefined;
  const reference = referTo(scene, target, random);
  if (!reference) return undefined;
  const legs: TrajectoryLeg[] = [];
  const first = planLeg(scene, scene.gripper.position, grasp.point, [target.id]);
  if (!first) return undefined;
  legs.push(first);
  let place: TrajectoryTask['place'];
  if (request.mode === 'pick-place') {
    const landmark = request.landmark;
    const relation = request.relation;
    if (!landmark || !relation || landmark.id === target.id) return undefined;
    const point = placeSpot(scene, target, landmark, relation);
    if (!point) return undefined;
    const landmarkReference = referTo(scene, landmark, random, 0.5, 0);
    if (!landmarkReference) return undefined;
    const exclude = relation === 'in' || relation === 'on' ? [target.id, landmark.id] : [target.id];
    const second = planLeg(scene, grasp.point, point, exclude);
    if (!second) return undefined;
    legs.push(second);
    place = { relation, landmark, reference: landmarkReference, point };
  }
  const vertices: Vec3[] = [];
  for (const leg of legs) {
    const v = legVertices(leg);
    vertices.push(...(vertices.length > 0 ? v.slice(1) : v));
  }
  if (vertices.length > MAX_WAYPOINTS) return undefined;
  const waypoints = waypointsAlong(vertices, waypointCount(vertices.length));
  const points: Point[] = [];
  for (const w of waypoints) {
    const q = normalisedOrUndefined(scene, w);
    if (!q) return undefined;
    points.push([round6(q[0]), round6(q[1])]);
  }
  const gripperCentre = points[0] as Vec2;
  const targetCentre = normalisedOrUndefined(scene, grasp.point);
  if (!targetCentre) return undefined;
  const placeCentre = place ? normalisedOrUndefined(scene, place.point) : undefined;
  return {
    mode: request.mode,
    target,
    reference,
    part: grasp.part,
    ...(place ? { place } : {}),
    legs,
    waypoints,
    action: { kind: 'trajectory', points },
    gripperCentre,
    targetCentre,
    ...(placeCentre ? { placeCentre } : {}),
  };
}
