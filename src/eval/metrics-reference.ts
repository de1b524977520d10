/**
 * The VLA-R1 paper's numbers (arXiv:2510.01623v1, Tables III and V), to print beside ours in reports.
 *
 * Affordance IoU on the ×100 scale (higher is better); trajectory DFD, HD, RMSE and their mean Avg on the
 * [0, 1000) scale (lower is better). These come from Qwen2.5-VL-3B models trained on ShareRobot, not from the
 * small embedded model: they are a yardstick, not a target for the tabletop demo.
 *
 * @module
 */

/** One row of the paper's tables. */
export interface ReferenceRow {
  /** Human-readable name of the model / configuration and the test set. */
  readonly label: string;
  /** Where the numbers are printed in the paper. */
  readonly source: string;
  /** Affordance IoU ×100. */
  readonly iou: number;
  /** Discrete Fréchet distance, [0, 1000) scale. */
  readonly dfd: number;
  /** Hausdorff distance, [0, 1000) scale. */
  readonly hd: number;
  /** Root-mean-square error, [0, 1000) scale. */
  readonly rmse: number;
  /** Mean of DFD, HD and RMSE. */
  readonly avg: number;
}

/**
 * The paper's reference numbers: VLA-R1-3B in-domain (ShareRobot) and out-of-domain (UMD for IoU, VAIT for
 * trajectories), and the two ablations (CoT-SFT only; plain SFT without CoT or RL), all in-domain.
 *
 * @example
 * import { referenceNumbers } from './metrics-reference.js';
 * console.log(`paper IoU ${referenceNumbers.vlaR1InDomain.iou}`); // paper IoU 36.51
 */
export const referenceNumbers = {
  vlaR1InDomain: {
    label: 'VLA-R1-3B, in-domain (ShareRobot)',
    source: 'Table III',
    iou: 36.51,
    dfd: 106.2,
    hd: 97.9,
    rmse: 71.12,
    avg: 91.74,
  },
  vlaR1OutOfDomain: {
    label: 'VLA-R1-3B, out-of-domain (UMD affordance, VAIT trajectory)',
    source: 'Table III',
    iou: 33.96,
    dfd: 114.3,
    hd: 98.43,
    rmse: 68.97,
    avg: 93.9,
  },
  cotSftOnly: {
    label: 'CoT-SFT only (no RL), in-domain',
    source: 'Table V',
    iou: 28.37,
    dfd: 145.51,
    hd: 131.26,
    rmse: 97.03,
    avg: 124.6,
  },
  plainSft: {
    label: 'plain SFT (no CoT, no RL), in-domain',
    source: 'Table V',
    iou: 23.74,
    dfd: 149.38,
    hd: 135.72,
    rmse: 100.04,
    avg: 128.38,
  },
} as const satisfies Record<string, ReferenceRow>;

/** The keys of {@link referenceNumbers}. */
export type ReferenceKey = keyof typeof referenceNumbers;
