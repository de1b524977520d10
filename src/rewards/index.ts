/** Verifiable rewards for VLA-R1 answers, built on the protocol and geometry modules. */
export { computeScore, alafNormaliser, type RewardOptions, type RewardResult } from './computeScore.js';
export { strictFormatViolations, ALL_STRICT_CHECKS, type StrictFormatOptions } from './strictFormat.js';
export { isBoxPayload, isTrajectoryPayload, readBoxPayload, OutputPayload } from './payloadShape.js';
export { rewardResultJson } from './rewardResultJson.js';
export { scoreInto, scoreIntoTypeScript, RewardSlot, REWARD_SLOTS, REWARD_MODES, TASK_ERRORS, lastUnexpectedError } from './scoreInto.js';
export { nativeRewardAvailable, nativeRewardStatus, useNativeReward } from './nativeReward.js';
