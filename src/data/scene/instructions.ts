/**
 * Instruction templates. Each template has an id; the in-domain splits use the `in-domain` ones and the
 * out-of-domain split's phrasing shift uses only the `held-out` ones (never seen in training).
 */
import type { PlaceRelation, SceneTask } from './tasks.js';
import type { Random } from './random.js';
import type { PartName } from './types.js';

/** Which pool of phrasings a sample draws from. */
export type PhrasingPool = 'in-domain' | 'held-out';

/** The words of a task a template fills in. */
export interface InstructionSlots {
  /** Referring expression of the target, with "the". */
  readonly ref: string;
  readonly part: PartName;
  /** Pick-and-place: "in", "on", "to the left of" … and the landmark's reference. */
  readonly relation?: string;
  readonly place?: string;
}

/** One phrasing. `part`-less templates are used for whole-object parts (`body`). */
export interface InstructionTemplate {
  readonly id: string;
  readonly pool: PhrasingPool;
  readonly mode: SceneTask['mode'];
  /** Parts it applies to (all when absent). */
  readonly parts?: readonly PartName[];
  readonly write: (s: InstructionSlots) => string;
}

const WITH_PART: readonly PartName[] = ['handle', 'rim', 'lid', 'cap', 'grip', 'pull', 'top'];
const WHOLE: readonly PartName[] = ['body'];

/** Every template, in a stable order. */
export const TEMPLATES: readonly InstructionTemplate[] = [
  // Affordance, in-domain.
  { id: 'aff-pick-by', pool: 'in-domain', mode: 'affordance', parts: WITH_PART, write: (s) => `pick up ${s.ref} by its ${s.part}.` },
  { id: 'aff-grasp-part', pool: 'in-domain', mode: 'affordance', parts: WITH_PART, write: (s) => `grasp the ${s.part} of ${s.ref}.` },
  { id: 'aff-hold-by', pool: 'in-domain', mode: 'affordance', parts: WITH_PART, write: (s) => `hold ${s.ref} by the ${s.part}.` },
  { id: 'aff-open', pool: 'in-domain', mode: 'affordance', parts: ['lid', 'pull', 'top'], write: (s) => `open ${s.ref}.` },
  { id: 'aff-unscrew', pool: 'in-domain', mode: 'affordance', parts: ['cap'], write: (s) => `unscrew the cap of ${s.ref}.` },
  { id: 'aff-lift-using', pool: 'in-domain', mode: 'affordance', parts: ['handle', 'grip', 'rim'], write: (s) => `lift ${s.ref} using its ${s.part}.` },
  { id: 'aff-pick', pool: 'in-domain', mode: 'affordance', parts: WHOLE, write: (s) => `pick up ${s.ref}.` },
  { id: 'aff-grasp', pool: 'in-domain', mode: 'affordance', parts: WHOLE, write: (s) => `grasp ${s.ref}.` },
  { id: 'aff-take', pool: 'in-domain', mode: 'affordance', parts: WHOLE, write: (s) => `take ${s.ref} from the table.` },
  // Affordance, held out.
  { id: 'aff-ood-where', pool: 'held-out', mode: 'affordance', parts: WITH_PART, write: (s) => `where should the robot hold ${s.ref}? use its ${s.part}.` },
  { id: 'aff-ood-seize', pool: 'held-out', mode: 'affordance', parts: WITH_PART, write: (s) => `the robot must seize ${s.ref} at the ${s.part}.` },
  { id: 'aff-ood-need', pool: 'held-out', mode: 'affordance', parts: WHOLE, write: (s) => `i need ${s.ref}, find where to grab it.` },
  { id: 'aff-ood-collect', pool: 'held-out', mode: 'affordance', parts: WHOLE, write: (s) => `collect ${s.ref} with the gripper.` },
  // Reach an object, in-domain.
  { id: 'reach-for', pool: 'in-domain', mode: 'reach', write: (s) => `reach for ${s.ref}.` },
  { id: 'reach-move-to', pool: 'in-domain', mode: 'reach', write: (s) => `move the gripper to ${s.ref}.` },
  { id: 'reach-go-to', pool: 'in-domain', mode: 'reach', write: (s) => `go to ${s.ref}.` },
  // Reach a part, in-domain.
  { id: 'reach-part-move', pool: 'in-domain', mode: 'reach-part', parts: WITH_PART, write: (s) => `move the gripper to the ${s.part} of ${s.ref}.` },
  { id: 'reach-part-for', pool: 'in-domain', mode: 'reach-part', parts: WITH_PART, write: (s) => `reach for the ${s.part} of ${s.ref}.` },
  { id: 'reach-part-whole', pool: 'in-domain', mode: 'reach-part', parts: WHOLE, write: (s) => `move the end-effector to ${s.ref}.` },
  // Reach, held out.
  { id: 'reach-ood-bring', pool: 'held-out', mode: 'reach', write: (s) => `bring the end-effector over to ${s.ref}.` },
  { id: 'reach-ood-guide', pool: 'held-out', mode: 'reach', write: (s) => `guide the arm towards ${s.ref}.` },
  { id: 'reach-part-ood-steer', pool: 'held-out', mode: 'reach-part', parts: WITH_PART, write: (s) => `steer the hand to ${s.ref}'s ${s.part}.` },
  { id: 'reach-part-ood-whole', pool: 'held-out', mode: 'reach-part', parts: WHOLE, write: (s) => `steer the hand to ${s.ref}.` },
  // Pick and place, in-domain.
  { id: 'place-pick-and', pool: 'in-domain', mode: 'pick-place', write: (s) => `pick up ${s.ref} and place it ${s.relation} ${s.place}.` },
  { id: 'place-put', pool: 'in-domain', mode: 'pick-place', write: (s) => `put ${s.ref} ${s.relation} ${s.place}.` },
  { id: 'place-move', pool: 'in-domain', mode: 'pick-place', write: (s) => `move ${s.ref} ${s.relation} ${s.place}.` },
  // Pick and place, held out.
  { id: 'place-ood-transfer', pool: 'held-out', mode: 'pick-place', write: (s) => `transfer ${s.ref} so that it ends up ${s.relation} ${s.place}.` },
  { id: 'place-ood-set', pool: 'held-out', mode: 'pick-place', write: (s) => `could you set ${s.ref} down ${s.relation} ${s.place}?` },
];

/**
 * The words for a place relation: "in", "on", "to the left of", "in front of" …
 *
 * @example
 * relationWords('left of'); // 'to the left of'
 */
export function relationWords(relation: PlaceRelation): string {
  switch (relation) {
    case 'left of':
      return 'to the left of';
    case 'right of':
      return 'to the right of';
    default:
      return relation;
  }
}

/** The slots of a task. */
export function taskSlots(task: SceneTask): InstructionSlots {
  const base = { ref: task.reference.text, part: task.part.name };
  if (task.mode === 'pick-place' && task.place) return { ...base, relation: relationWords(task.place.relation), place: task.place.reference.text };
  return base;
}

/** The templates usable for a task from a pool. */
export function templatesFor(task: SceneTask, pool: PhrasingPool): InstructionTemplate[] {
  return TEMPLATES.filter((t) => t.pool === pool && t.mode === task.mode && (!t.parts || t.parts.includes(task.part.name)));
}

/**
 * Write the instruction of a task with a template drawn from `pool`; returns the text and the template id.
 *
 * @example
 * writeInstruction(task, random, 'in-domain'); // { text: 'pick up the red mug by its handle.', templateId: 'aff-pick-by' }
 */
export function writeInstruction(task: SceneTask, random: Random, pool: PhrasingPool): { text: string; templateId: string } {
  const options = templatesFor(task, pool);
  const template = random.pick(options);
  return { text: template.write(taskSlots(task)), templateId: template.id };
}
