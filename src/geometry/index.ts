/** Geometry for boxes and trajectories: pure, allocation-light, with the official reward's exact semantics. */
export { boxIou } from './boxIou.js';
export { boxGiou } from './boxGiou.js';
export { cornerArea, intersectionArea } from './boxOverlap.js';
export { discreteFrechet, discreteFrechetFlat } from './discreteFrechet.js';
export { hausdorff } from './hausdorff.js';
export { resampleByArcLength } from './resampleByArcLength.js';
export { trajectoryRmse } from './trajectoryRmse.js';
export { alafDistance, alafDistanceFlat, alafDistanceWeighted, lastDiscreteFrechet, ALAF_DEFAULTS, type AlafOptions } from './alafDistance.js';
export { frechetFirstRow, frechetNextRow } from './frechetRecurrence.js';
export { LocalGeometry, EPS } from './localGeometry.js';
export { pointDistance } from './pointDistance.js';
export { pythonHypot, pyMax, pyMin, pyMin3 } from './pythonMath.js';
