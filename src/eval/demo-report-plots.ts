/**
 * Line charts for the demo report (training loss, GRPO reward, KL to the reference), drawn as PNG with
 * `@napi-rs/canvas`: axes with round tick values, one coloured polyline per series, a legend, and a note in
 * place of the lines when a chart has no data.
 */

/** One line of a chart. */
export interface PlotSeries {
  readonly name: string;
  /** CSS colour. */
  readonly colour: string;
  /** (x, y) points in x order; non-finite y values break the line. */
  readonly points: readonly (readonly [number, number])[];
  /** Dashed line. */
  readonly dashed?: boolean;
}

/** A chart. */
export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  /** Pixels (default 560 × 320). */
  readonly width?: number;
  readonly height?: number;
  /** Shown when no series has a finite point (default `no data`). */
  readonly emptyNote?: string;
}

/**
 * Round tick values inside [min, max]: the largest step of 1, 2 or 5 times a power of ten that gives at least
 * `count` intervals (so between `count` and about 2.5 × `count` + 1 ticks).
 *
 * @example
 * niceTicks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * niceTicks(3, 3, 4); // [3]
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max <= min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [10, 5, 2, 1].map((m) => m * power).find((s) => s <= raw * (1 + 1e-9)) ?? power;
  const ticks: number[] = [];
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(14)));
  return ticks;
}

/**
 * A tick label: plain for ordinary magnitudes, exponent form for tiny or huge ones.
 *
 * @example
 * tickLabel(0.25); // '0.25'
 * tickLabel(0.0002); // '2e-4'
 */
export function tickLabel(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e5) return value.toExponential().replace(/\.?0*e\+?/, 'e');
  return String(Number(value.toPrecision(6)));
}

function finitePoints(series: readonly PlotSeries[]): (readonly [number, number])[] {
  return series.flatMap((s) => s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
}

/** The padded data range of the y axis (a flat series gets a band around its value). */
function yRange(values: readonly number[]): [number, number] {
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi === lo) {
    const band = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - band, hi + band];
  }
  const margin = (hi - lo) * 0.06;
  lo -= margin;
  hi += margin;
  if (Math.min(...values) >= 0 && lo < 0) lo = 0;
  return [lo, hi];
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/**
 * Draw a line chart as PNG bytes.
 *
 * @example
 * const png = await lineChartPng({ title: 'GRPO reward', xLabel: 'step', yLabel: 'mean reward',
 *   series: [{ name: 'reward', colour: '#d62728', points: [[1, 0.4], [2, 0.5]] }] });
 */
export async function lineChartPng(chart: LineChart): Promise<Uint8Array> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const width = chart.width ?? 560;
  const height = chart.height ?? 320;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  const left = 64;
  const right = 16;
  const top = 34;
  const bottom = 62;
  const plotW = width - left - right;
  const plotH = height - top - bottom;

  ctx.fillStyle = '#111111';
  ctx.font = `bold 15px ${FONT}`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  ctx.fillText(chart.title, width / 2, 8);

  const points = finitePoints(chart.series);
  ctx.strokeStyle = '#444444';
  ctx.lineWidth = 1;
  ctx.strokeRect(left + 0.5, top + 0.5, plotW, plotH);
  ctx.font = `12px ${FONT}`;
  ctx.fillStyle = '#333333';
  ctx.fillText(chart.xLabel, left + plotW / 2, top + plotH + 22);
  ctx.save();
  ctx.translate(14, top + plotH / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(chart.yLabel, 0, 0);
  ctx.restore();

  if (points.length === 0) {
    ctx.fillStyle = '#777777';
    ctx.textBaseline = 'middle';
    ctx.fillText(chart.emptyNote ?? 'no data', left + plotW / 2, top + plotH / 2);
    return encode(await canvas.encode('png'));
  }

  const xs = points.map(([x]) => x);
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMax === xMin) {
    xMin -= 1;
    xMax += 1;
  }
  const [yMin, yMax] = yRange(points.map(([, y]) => y));
  const px = (x: number): number => left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number): number => top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;

  ctx.font = `11px ${FONT}`;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const t of niceTicks(yMin, yMax, 4)) {
    const y = Math.round(py(t)) + 0.5;
    ctx.strokeStyle = '#e4e4e4';
    ctx.beginPath();
    ctx.moveTo(left + 1, y);
    ctx.lineTo(left + plotW, y);
    ctx.stroke();
    ctx.fillStyle = '#333333';
    ctx.fillText(tickLabel(t), left - 6, y);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const t of niceTicks(xMin, xMax, 5)) {
    const x = Math.round(px(t)) + 0.5;
    ctx.strokeStyle = '#444444';
    ctx.beginPath();
    ctx.moveTo(x, top + plotH);
    ctx.lineTo(x, top + plotH + 4);
    ctx.stroke();
    ctx.fillStyle = '#333333';
    ctx.fillText(tickLabel(t), x, top + plotH + 6);
  }

  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, plotW, plotH);
  ctx.clip();
  for (const series of chart.series) {
    ctx.strokeStyle = series.colour;
    ctx.fillStyle = series.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(series.dashed === true ? [6, 4] : []);
    ctx.beginPath();
    let pen = false;
    for (const [x, y] of series.points) {
      if (!Number.isFinite(x) || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      if (pen) ctx.lineTo(px(x), py(y));
      else ctx.moveTo(px(x), py(y));
      pen = true;
    }
    ctx.stroke();
    const finite = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (finite.length <= 30) {
      for (const [x, y] of finite) {
        ctx.beginPath();
        ctx.arc(px(x), py(y), 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }
  ctx.restore();

  ctx.setLineDash([]);
  ctx.font = `12px ${FONT}`;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  let lx = left;
  const ly = height - 12;
  for (const series of chart.series) {
    ctx.strokeStyle = series.colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(series.dashed === true ? [6, 4] : []);
    ctx.beginPath();
    ctx.moveTo(lx, ly);
    ctx.lineTo(lx + 20, ly);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = '#222222';
    ctx.fillText(series.name, lx + 25, ly);
    lx += 25 + ctx.measureText(series.name).width + 18;
  }
  return encode(await canvas.encode('png'));
}

function encode(png: Buffer): Uint8Array {
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
