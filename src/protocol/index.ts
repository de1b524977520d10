/** The VLA-R1 protocol: prompts, answers, box conventions and the Python-compatible readers behind them. */
export * from './types.js';
export * from './prompts.js';
export * from './answer.js';
export * from './boxes.js';
export { pythonFloat, tryPythonFloat } from './pythonFloat.js';
export { parsePythonJson, tryParsePythonJson, INVALID_JSON, PythonJsonError, MAX_JSON_DEPTH } from './pythonJson.js';
export { parseNumberPairs, parseNumberRecord, type PairBuffer } from './numberPayloads.js';
export { pythonRound6, pythonFloatJson, formatAnswerNumber } from './pythonNumberFormat.js';
export { isPythonSpace, pythonStrip } from './pythonText.js';
export {
  findOutputBlock,
  findThinkBlock,
  outputContent,
  outputContentRange,
  type ContentRange,
  hasThinkTags,
  allBlocks,
  blockContent,
  countTags,
  type TagBlock,
  type TagCounts,
} from './tagBlocks.js';
