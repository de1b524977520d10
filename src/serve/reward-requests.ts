import { z } from 'zod';

/**
 * Reward options a client may send (the `RewardOptions` of `src/rewards`, same names).
 * Unknown keys are rejected, so a typo (`lambdaAngel`) is an error instead of a silent default.
 */
export const RewardOptionsSchema = z.strictObject({
  lambdaAngle: z.number().finite().nonnegative().optional(),
  lambdaLength: z.number().finite().nonnegative().optional(),
  taskWeight: z.number().finite().optional(),
  formatWeight: z.number().finite().optional(),
});

/**
 * OpenRLHF's remote reward request (`--reward.remote_url`, formerly `--remote_rm_url`):
 * `query[i]` is the decoded prompt + response, `prompts[i]` the prompt, `labels[i]` the ground-truth
 * answer (the full gpt turn of a VLA-R1 record). The three arrays have one entry per sample.
 * Extra top-level keys are ignored (newer OpenRLHF versions may add some).
 */
export const OpenRlhfRequestSchema = z
  .object({
    query: z.array(z.string()),
    prompts: z.array(z.string()),
    labels: z.array(z.string()),
  })
  .superRefine((value, ctx) => {
    for (const key of ['prompts', 'labels'] as const) {
      if (value[key].length !== value.query.length) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected ${value.query.length} entries (one per query), got ${value[key].length}`,
        });
      }
    }
  });
export type OpenRlhfRequest = z.infer<typeof OpenRlhfRequestSchema>;

/**
 * One item of our batch form (`POST /v1/reward`). Other keys are ignored, as `vla-r1 reward` ignores them
 * (a row of a scored file can be sent back as is); `options` is strict.
 */
export const RewardItemSchema = z.object({
  response: z.string(),
  ground_truth: z.string(),
  options: RewardOptionsSchema.optional(),
});
export type RewardItem = z.infer<typeof RewardItemSchema>;

/** The batch form: a JSON array of {@link RewardItemSchema} items. */
export const RewardBatchSchema = z.array(RewardItemSchema);
