/**
 * A child process for the crash test: runs an evaluation against a test server until it is killed.
 * Usage: `node --import tsx test/helpers/eval-child.ts '<json {baseUrl, outDir, records, concurrency}>'`.
 */
import { createOpenAiPolicy } from '../../src/policy/openai.js';
import { runEvaluation, type EvalRecord } from '../../src/eval/runner.js';

interface ChildArgs {
  readonly baseUrl: string;
  readonly outDir: string;
  readonly records: EvalRecord[];
  readonly concurrency: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const policy = await createOpenAiPolicy({ baseUrl: args.baseUrl, model: 'test-vlm' });
await runEvaluation({ policy, records: args.records, outDir: args.outDir, concurrency: args.concurrency, report: false });
