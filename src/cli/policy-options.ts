/**
 * The policy flags shared by every command that asks a model (`vla-r1 eval`, `vla-r1 data cot`): which backend,
 * how to reach it, sampling, the coordinate convention of its answers, and how hard to push it.
 *
 * ```
 * --policy openai|vla-r1-server|local   --base-url URL   --model NAME   --api-key-env NAME   --header 'K: V'
 * --timeout SECONDS   --retries N   --temperature T   --top-p P   --max-tokens N   --seed N   --extra-body JSON
 * --reasoning-as-think   --checkpoint DIR   --coordinates normalized|pixels|thousand   --min-pixels N   --max-pixels N
 * --concurrency N   --batch-size N
 * ```
 */
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { COORDINATE_CONVENTIONS, QWEN25_VL_RESIZE, type CoordinateScale } from '../eval/coordinates.js';
import { POLICY_KINDS, type PolicyKind, type PolicyOptions } from '../policy/create-policy.js';

/** Defaults a command may change. */
export interface PolicyFlagDefaults {
  readonly policy?: PolicyKind;
  readonly concurrency?: number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Add the policy flags to `cmd` (see the module documentation).
 *
 * @example
 * const eval_ = addPolicyOptions(program.command('eval')).action(async (opts) => {
 *   const { policy, coordinateScale, concurrency } = policySettingsFromFlags(opts);
 * });
 */
export function addPolicyOptions(cmd: Command, defaults: PolicyFlagDefaults = {}): Command {
  return cmd
    .addOption(new Option('--policy <kind>', 'the model backend').choices([...POLICY_KINDS]).default(defaults.policy ?? 'local'))
    .option('--base-url <url>', 'server URL: the OpenAI API base (e.g. http://127.0.0.1:8000/v1) or the official server root (http://127.0.0.1:8000)')
    .option('--model <name>', 'openai: the served model name (default: the first the server lists)')
    .option('--api-key-env <name>', 'openai: environment variable holding the API key (unset: no key sent)', 'OPENAI_API_KEY')
    .option('--header <header>', "extra HTTP header 'Name: value' (repeatable)", collect)
    .option('--timeout <seconds>', 'time limit of one request (default 300; 600 for vla-r1-server)')
    .option('--retries <n>', 'HTTP retries of timeouts, network errors, 429 and 5xx, with exponential backoff', '4')
    .option('--temperature <t>', 'sampling temperature (0 = greedy; default 0 for openai; the official server samples at 0.7, fixed)')
    .option('--top-p <p>', 'nucleus sampling')
    .option('--max-tokens <n>', 'answer length limit in tokens (default 1024 for openai)')
    .option('--seed <n>', 'sampling seed; record i is sent seed + i')
    .option('--extra-body <json>', 'openai: JSON object merged into every request, e.g. \'{"top_k": 1, "repetition_penalty": 1.05}\'')
    .option('--reasoning-as-think', 'openai: put a separate reasoning_content (vLLM --reasoning-parser) back as <think>…</think>')
    .option('--checkpoint <dir>', 'local: the checkpoint folder')
    .addOption(
      new Option('--coordinates <convention>', 'how the model writes coordinates: [0,1] (VLA-R1), pixels of its resized input (Qwen2.5-VL), 0–1000 (Qwen2-VL, Qwen3-VL)')
        .choices([...COORDINATE_CONVENTIONS])
        .default('normalized'),
    )
    .option('--min-pixels <n>', `pixels convention: the processor's min_pixels (default ${QWEN25_VL_RESIZE.minPixels})`)
    .option('--max-pixels <n>', `pixels convention: the processor's max_pixels (default ${QWEN25_VL_RESIZE.maxPixels})`)
    .option('--concurrency <n>', 'requests in flight', String(defaults.concurrency ?? 4))
    .option('--batch-size <n>', 'records per generate call (useful for --policy local)', '1');
}

const flagsSchema = z.object({
  policy: z.enum(POLICY_KINDS as [PolicyKind, ...PolicyKind[]]),
  baseUrl: z.string().optional(),
  model: z.string().min(1).optional(),
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
  header: z.array(z.string()).optional(),
  timeout: z.coerce.number().positive().optional(),
  retries: z.coerce.number().int().min(0).max(100).optional(),
  temperature: z.coerce.number().min(0).max(10).optional(),
  topP: z.coerce.number().gt(0).max(1).optional(),
  maxTokens: z.coerce.number().int().positive().optional(),
  seed: z.coerce.number().int().optional(),
  extraBody: z.string().optional(),
  reasoningAsThink: z.boolean().optional(),
  checkpoint: z.string().min(1).optional(),
  coordinates: z.enum(COORDINATE_CONVENTIONS as ['normalized', 'pixels', 'thousand']),
  minPixels: z.coerce.number().int().positive().optional(),
  maxPixels: z.coerce.number().int().positive().optional(),
  concurrency: z.coerce.number().int().min(1).max(1024),
  batchSize: z.coerce.number().int().min(1).max(4096),
});

const FLAG_NAMES: Record<string, string> = {
  baseUrl: '--base-url',
  apiKeyEnv: '--api-key-env',
  topP: '--top-p',
  maxTokens: '--max-tokens',
  extraBody: '--extra-body',
  minPixels: '--min-pixels',
  maxPixels: '--max-pixels',
  batchSize: '--batch-size',
};

function flagName(key: string): string {
  return FLAG_NAMES[key] ?? `--${key}`;
}

/**
 * Parse `'Name: value'` headers.
 *
 * @example
 * parseHeaders(['X-Team: robots', 'Authorization: Bearer abc']); // { 'X-Team': 'robots', Authorization: 'Bearer abc' }
 */
export function parseHeaders(headers: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers) {
    const colon = header.indexOf(':');
    const name = colon > 0 ? header.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UserError(`--header: expected 'Name: value', got ${JSON.stringify(header)}`);
    out[name] = header.slice(colon + 1).trim();
  }
  return out;
}

/** What the policy flags mean. */
export interface PolicySettings {
  readonly policy: PolicyOptions;
  readonly coordinateScale: CoordinateScale;
  readonly concurrency: number;
  readonly batchSize: number;
  /** Sampling options to pass per call (seed offset per record by the runner). */
  readonly generate: { temperature?: number; topP?: number; maxTokens?: number; seed?: number };
}

/**
 * Turn parsed flags (commander's `opts()`) into {@link PolicySettings}.
 *
 * @throws UserError naming the flag for a bad value.
 * @example
 * const settings = policySettingsFromFlags(cmd.opts());
 * const policy = await createPolicy(settings.policy);
 */
export function policySettingsFromFlags(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): PolicySettings {
  const parsed = flagsSchema.safeParse(flags);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'flags');
    throw new UserError(`${flagName(key)}: ${issue?.message ?? 'invalid value'} (got ${JSON.stringify(flags[key])})`);
  }
  const f = parsed.data;
  let extraBody: Record<string, unknown> | undefined;
  if (f.extraBody !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(f.extraBody);
    } catch {
      throw new UserError(`--extra-body: not JSON: ${f.extraBody}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError('--extra-body: expected a JSON object');
    extraBody = value as Record<string, unknown>;
  }
  if (f.minPixels !== undefined && f.maxPixels !== undefined && f.minPixels > f.maxPixels) throw new UserError('--min-pixels: larger than --max-pixels');
  const apiKey = f.apiKeyEnv ? env[f.apiKeyEnv] : undefined;
  const maxTokens = f.maxTokens ?? (f.policy === 'openai' ? 1024 : undefined);
  const generate = {
    ...(f.temperature !== undefined ? { temperature: f.temperature } : {}),
    ...(f.topP !== undefined ? { topP: f.topP } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    ...(f.seed !== undefined ? { seed: f.seed } : {}),
  };
  const resize =
    f.minPixels !== undefined || f.maxPixels !== undefined
      ? { ...QWEN25_VL_RESIZE, ...(f.minPixels !== undefined ? { minPixels: f.minPixels } : {}), ...(f.maxPixels !== undefined ? { maxPixels: f.maxPixels } : {}) }
      : undefined;
  return {
    policy: {
      kind: f.policy,
      ...(f.baseUrl !== undefined ? { baseUrl: f.baseUrl } : {}),
      ...(f.model !== undefined ? { model: f.model } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(f.header ? { headers: parseHeaders(f.header) } : {}),
      ...(f.timeout !== undefined ? { timeoutMs: Math.round(f.timeout * 1000) } : {}),
      ...(f.retries !== undefined ? { retries: f.retries } : {}),
      sampling: generate,
      ...(extraBody ? { extraBody } : {}),
      ...(f.reasoningAsThink ? { reasoningAsThink: true } : {}),
      ...(f.checkpoint !== undefined ? { checkpoint: f.checkpoint } : {}),
    },
    coordinateScale: { convention: f.coordinates, ...(resize ? { resize } : {}) },
    concurrency: f.concurrency,
    batchSize: f.batchSize,
    generate,
  };
}
