/**
 * Learning-rate schedule: linear warm-up, then cosine decay to `minRatio × peak`.
 */
export interface ScheduleOptions {
  readonly peak: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  /** Final learning rate as a fraction of the peak. Default 0.1. */
  readonly minRatio?: number;
}

/**
 * The learning rate at 1-based step `t`.
 *
 * @example
 * learningRate({ peak: 1e-3, warmupSteps: 10, totalSteps: 100 }, 5); // 5e-4
 * learningRate({ peak: 1e-3, warmupSteps: 10, totalSteps: 100 }, 100); // 1e-4
 */
export function learningRate(o: ScheduleOptions, t: number): number {
  const minLr = o.peak * (o.minRatio ?? 0.1);
  if (o.warmupSteps > 0 && t <= o.warmupSteps) return (o.peak * t) / o.warmupSteps;
  const span = Math.max(1, o.totalSteps - o.warmupSteps);
  const progress = Math.min(1, Math.max(0, (t - o.warmupSteps) / span));
  return minLr + (o.peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
