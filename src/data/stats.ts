/**
 * `vla-r1 data stats`: what a dataset contains. Counts per task kind, box sizes (normalised width, height and
 * area), trajectory lengths (waypoints and path length), and the instruction vocabulary.
 */
import type { Trajectory } from '../protocol/types.js';
import type { LoadedRecord } from './records.js';

/** Five-number summary plus mean; quantiles interpolate linearly (numpy's default). */
export interface Summary {
  readonly min: number;
  readonly p25: number;
  readonly median: number;
  readonly p75: number;
  readonly max: number;
  readonly mean: number;
}

/** A histogram bin `[from, to)` (the last bin includes `to`). */
export interface HistogramBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
}

/** Everything `data stats` reports (`--json` prints this object). */
export interface DatasetStats {
  readonly records: number;
  readonly kinds: { readonly affordance: number; readonly trajectory: number };
  readonly uniqueImages: number;
  readonly boxes: {
    readonly width: Summary;
    readonly height: Summary;
    /** Box area as a fraction of the image. */
    readonly area: Summary;
    readonly areaHistogram: readonly HistogramBin[];
  } | null;
  readonly trajectories: {
    readonly points: Summary;
    /** Waypoint count → number of trajectories. */
    readonly pointCounts: Readonly<Record<string, number>>;
    /** Polyline length in normalised units. */
    readonly pathLength: Summary;
  } | null;
  readonly instructions: {
    readonly unique: number;
    readonly words: Summary;
    readonly vocabulary: number;
    /** Most frequent words, stop words excluded, ties broken alphabetically. */
    readonly topWords: readonly { readonly word: string; readonly count: number }[];
  };
}

/** Area bin edges (fraction of the image) of the box-area histogram. */
export const AREA_BIN_EDGES: readonly number[] = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1];

/** Words left out of the top-words list (articles, prepositions, conjunctions). */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'to', 'of', 'and', 'or', 'on', 'in', 'into', 'onto', 'it', 'its', 'with', 'from', 'for', 'at', 'by', 'is', 'up', 'then',
]);

/**
 * Linear-interpolation quantile of sorted values (`q` in [0, 1]); NaN for an empty list.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] ?? Number.NaN;
  const b = sorted[hi] ?? Number.NaN;
  return a + (b - a) * (pos - lo);
}

/**
 * The {@link Summary} of a list of numbers.
 *
 * @example
 * summarize([4, 1, 3, 2]); // { min: 1, p25: 1.75, median: 2.5, p75: 3.25, max: 4, mean: 2.5 }
 */
export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.length === 0 ? Number.NaN : sorted.reduce((s, v) => s + v, 0) / sorted.length;
  return {
    min: sorted[0] ?? Number.NaN,
    p25: quantile(sorted, 0.25),
    median: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean,
  };
}

/**
 * The length of a polyline.
 *
 * @example
 * polylineLength([[0, 0], [0.3, 0.4], [0.3, 0.5]]); // 0.6
 */
export function polylineLength(points: Trajectory): number {
  let total = 0;
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1];
    const b = points[k];
    if (a !== undefined && b !== undefined) total += Math.hypot(b[0] - a[0], b[1] - a[1]);
  }
  return total;
}

/**
 * Lower-case words of an instruction (letters, digits and inner apostrophes).
 *
 * @example
 * instructionWords("Pick up the robot's red cup."); // ['pick', 'up', 'the', "robot's", 'red', 'cup']
 */
export function instructionWords(instruction: string): string[] {
  return instruction.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
}

function histogram(values: readonly number[], edges: readonly number[]): HistogramBin[] {
  const bins: HistogramBin[] = [];
  for (let k = 0; k + 1 < edges.length; k++) {
    const from = edges[k] ?? 0;
    const to = edges[k + 1] ?? 0;
    const last = k + 2 === edges.length;
    bins.push({ from, to, count: values.filter((v) => v >= from && (v < to || (last && v <= to))).length });
  }
  return bins;
}

/**
 * Statistics of loaded records.
 *
 * @param topWords how many top words to list (default 20)
 * @example
 * const stats = datasetStats(await readRecords('data/train.json'));
 * stats.kinds; // { affordance: 600, trajectory: 600 }
 */
export function datasetStats(records: readonly LoadedRecord[], topWords = 20): DatasetStats {
  const widths: number[] = [];
  const heights: number[] = [];
  const areas: number[] = [];
  const pointCounts: number[] = [];
  const pathLengths: number[] = [];
  const counts: Record<string, number> = {};
  const wordCounts = new Map<string, number>();
  const wordsPer: number[] = [];
  const instructions = new Set<string>();
  const images = new Set<string>();
  let affordance = 0;

  for (const r of records) {
    images.add(r.imagePath);
    instructions.add(r.instruction);
    const words = instructionWords(r.instruction);
    wordsPer.push(words.length);
    for (const w of words) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    if (r.action.kind === 'affordance') {
      affordance++;
      const { width, height } = r.action.box;
      widths.push(width);
      heights.push(height);
      areas.push(width * height);
    } else {
      const n = r.action.points.length;
      pointCounts.push(n);
      counts[String(n)] = (counts[String(n)] ?? 0) + 1;
      pathLengths.push(polylineLength(r.action.points));
    }
  }

  const sortedCounts: Record<string, number> = {};
  for (const key of Object.keys(counts).sort((a, b) => Number(a) - Number(b))) sortedCounts[key] = counts[key] ?? 0;
  const top = [...wordCounts.entries()]
    .filter(([w]) => !STOP_WORDS.has(w))
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, topWords)
    .map(([word, count]) => ({ word, count }));

  return {
    records: records.length,
    kinds: { affordance, trajectory: records.length - affordance },
    uniqueImages: images.size,
    boxes: areas.length === 0 ? null : { width: summarize(widths), height: summarize(heights), area: summarize(areas), areaHistogram: histogram(areas, AREA_BIN_EDGES) },
    trajectories: pointCounts.length === 0 ? null : { points: summarize(pointCounts), pointCounts: sortedCounts, pathLength: summarize(pathLengths) },
    instructions: { unique: instructions.size, words: summarize(wordsPer), vocabulary: wordCounts.size, topWords: top },
  };
}

function fmt(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '-';
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, k) => (widths[k] = Math.max(widths[k] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, k) => (k === 0 ? cell.padEnd(widths[k] ?? 0) : cell.padStart(widths[k] ?? 0))).join('  ').trimEnd()).join('\n');
}

function summaryRow(name: string, s: Summary, digits = 4): string[] {
  return [name, fmt(s.min, digits), fmt(s.p25, digits), fmt(s.median, digits), fmt(s.p75, digits), fmt(s.max, digits), fmt(s.mean, digits)];
}

/**
 * The stats as plain-text tables (what `data stats` prints without `--json`).
 *
 * @example
 * console.log(formatStats('data/train.json', datasetStats(records)));
 */
export function formatStats(file: string, stats: DatasetStats): string {
  const out: string[] = [];
  out.push(`${file}: ${stats.records} records, ${stats.uniqueImages} images`);
  out.push('');
  out.push(table([['kind', 'records'], ['affordance', String(stats.kinds.affordance)], ['trajectory', String(stats.kinds.trajectory)]]));
  const head = ['', 'min', 'p25', 'median', 'p75', 'max', 'mean'];
  if (stats.boxes !== null) {
    out.push('', 'boxes (normalised to the image)');
    out.push(table([head, summaryRow('width', stats.boxes.width), summaryRow('height', stats.boxes.height), summaryRow('area', stats.boxes.area)]));
    out.push('', 'box area histogram (fraction of the image)');
    out.push(table([['area', 'boxes'], ...stats.boxes.areaHistogram.map((b) => [`[${b.from}, ${b.to}${b.to === 1 ? ']' : ')'}`, String(b.count)])]));
  }
  if (stats.trajectories !== null) {
    out.push('', 'trajectories');
    out.push(table([head, summaryRow('waypoints', stats.trajectories.points, 2), summaryRow('path length', stats.trajectories.pathLength)]));
    out.push('', table([['waypoints', 'trajectories'], ...Object.entries(stats.trajectories.pointCounts).map(([n, c]) => [n, String(c)])]));
  }
  out.push('', `instructions: ${stats.instructions.unique} unique, vocabulary ${stats.instructions.vocabulary} words`);
  out.push(table([head, summaryRow('words', stats.instructions.words, 2)]));
  if (stats.instructions.topWords.length > 0) {
    out.push('', 'top words (stop words excluded)');
    out.push(table([['word', 'count'], ...stats.instructions.topWords.map((w) => [w.word, String(w.count)])]));
  }
  return `${out.join('\n')}\n`;
}
