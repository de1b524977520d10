/**
 * One example as a picture: the image with the ground-truth box or trajectory drawn on it (green), optionally a
 * predicted answer (red), and a text panel beside it with the instruction, the answers and the rationale, wrapped.
 * Used by `vla-r1 data show` and by the evaluation report.
 *
 * Drawing conventions: boxes are the VLA-R1 centre form converted to corners and clipped to the image
 * (`centreToCorners`); trajectories are polylines with a dot on every waypoint, a ring on the first and an arrow
 * head on the last. Small images are enlarged by an integer factor (nearest neighbour) so they are readable.
 */
import type { SKRSContext2D } from '@napi-rs/canvas';
import { formatAction, parseAnswer } from '../protocol/answer.js';
import { centreToCorners } from '../protocol/boxes.js';
import type { Action, TaskKind } from '../protocol/types.js';
import { readPolicyImage, type ImageSource } from './images.js';

/** Colours used by {@link renderExample} (CSS colour strings). */
export const RENDER_COLOURS = { groundTruth: '#00c853', prediction: '#ff1744', panel: '#ffffff', text: '#111111', muted: '#555555' } as const;

/** What to draw. */
export interface RenderExampleInput {
  readonly image: ImageSource;
  readonly kind: TaskKind;
  readonly instruction: string;
  /** Drawn in green. */
  readonly groundTruth?: Action;
  /** The ground-truth rationale (the `<think>` text), shown wrapped in the panel. */
  readonly rationale?: string;
  /** A predicted answer text; parsed (strictly, as `kind`) and drawn in red, or its parse error is shown. */
  readonly prediction?: string;
  /** First line of the panel, e.g. `train.json #12`. */
  readonly title?: string;
  /** Extra panel lines, e.g. metrics (`IoU 0.61`). */
  readonly notes?: readonly string[];
}

/** Layout options of {@link renderExample}. */
export interface RenderOptions {
  /** Width of the text panel in pixels (default 440). */
  readonly panelWidth?: number;
  /** Images shorter than this are enlarged by an integer factor (default 320). */
  readonly minImageHeight?: number;
  /** Images taller than this are reduced (default 720). */
  readonly maxImageHeight?: number;
  /** Longest rationale/prediction text shown, in characters (default 1500). */
  readonly maxTextChars?: number;
}


/**
 * Split `text` into lines no wider than `maxWidth` as measured by `measure` (words longer than a line are cut).
 *
 * @example
 * wrapText('a bb ccc', 4, (s) => s.length); // ['a bb', 'ccc']
 */
export function wrapText(text: string, maxWidth: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (measure(candidate) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      let rest = word;
      while (measure(rest) > maxWidth && rest.length > 1) {
        let cut = rest.length - 1;
        while (cut > 1 && measure(rest.slice(0, cut)) > maxWidth) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/**
 * The display scale of an image of height `height`: an integer enlargement for small images, a reduction for
 * tall ones, else 1.
 *
 * @example
 * displayScale(64); // 5 (64 px → 320 px)
 * displayScale(480); // 1
 */
export function displayScale(height: number, minHeight = 320, maxHeight = 720): number {
  if (height < minHeight) return Math.ceil(minHeight / height);
  if (height > maxHeight) return maxHeight / height;
  return 1;
}

function drawAction(ctx: SKRSContext2D, action: Action, width: number, height: number, colour: string, dashed: boolean): void {
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = 3;
  ctx.lineJoin = 'round';
  ctx.setLineDash(dashed ? [8, 5] : []);
  if (action.kind === 'affordance') {
    const c = centreToCorners(action.box);
    ctx.strokeRect(c.x1 * width, c.y1 * height, (c.x2 - c.x1) * width, (c.y2 - c.y1) * height);
    ctx.beginPath();
    ctx.arc(action.box.x * width, action.box.y * height, 3, 0, 2 * Math.PI);
    ctx.fill();
    ctx.restore();
    return;
  }
  const pts = action.points.map(([x, y]) => [x * width, y * height] as const);
  if (pts.length > 1) {
    ctx.beginPath();
    pts.forEach(([x, y], k) => (k === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
    ctx.stroke();
  }
  ctx.setLineDash([]);
  pts.forEach(([x, y], k) => {
    ctx.beginPath();
    if (k === 0) {
      ctx.arc(x, y, 7, 0, 2 * Math.PI);
      ctx.stroke();
    } else {
      ctx.arc(x, y, 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  });
  const last = pts[pts.length - 1];
  const prev = pts[pts.length - 2];
  if (last !== undefined && prev !== undefined && (last[0] !== prev[0] || last[1] !== prev[1])) {
    const angle = Math.atan2(last[1] - prev[1], last[0] - prev[0]);
    const size = 14;
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(last[0] - size * Math.cos(angle - 0.45), last[1] - size * Math.sin(angle - 0.45));
    ctx.lineTo(last[0] - size * Math.cos(angle + 0.45), last[1] - size * Math.sin(angle + 0.45));
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

interface PanelLine {
  readonly text: string;
  readonly font: string;
  readonly colour: string;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

function clipText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Render one example to PNG bytes: the image (annotated) on the left, the text panel on the right.
 *
 * @throws UserError when the image is missing or cannot be decoded.
 * @example
 * const png = await renderExample({ image: record.imagePath, kind: record.kind, instruction: record.instruction,
 *   groundTruth: record.action, rationale: 'The mug handle faces right…', prediction: modelText });
 * await writeFile('example.png', png);
 */
export async function renderExample(input: RenderExampleInput, options: RenderOptions = {}): Promise<Uint8Array> {
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  const encoded = await readPolicyImage(input.image);
  const image = await loadImage(Buffer.from(encoded.bytes.buffer, encoded.bytes.byteOffset, encoded.bytes.byteLength));
  const scale = displayScale(image.height, options.minImageHeight ?? 320, options.maxImageHeight ?? 720);
  const imageWidth = Math.max(1, Math.round(image.width * scale));
  const imageHeight = Math.max(1, Math.round(image.height * scale));
  const panelWidth = options.panelWidth ?? 440;
  const maxChars = options.maxTextChars ?? 1500;
  const pad = 14;

  const prediction = input.prediction === undefined ? undefined : parseAnswer(input.prediction, input.kind);
  const lines: PanelLine[] = [];
  const measureCanvas = createCanvas(1, 1).getContext('2d');
  const add = (text: string, font: string, colour: string = RENDER_COLOURS.text): void => {
    measureCanvas.font = font;
    for (const line of wrapText(text, panelWidth - 2 * pad, (s) => measureCanvas.measureText(s).width)) lines.push({ text: line, font, colour });
  };
  const bold = `bold 15px ${FONT}`;
  const body = `13px ${FONT}`;
  const mono = `12px DejaVu Sans Mono, monospace`;
  if (input.title !== undefined) add(input.title, bold);
  add(`${input.kind}: ${input.instruction}`, bold);
  add(`image ${image.width}×${image.height}`, body, RENDER_COLOURS.muted);
  if (input.groundTruth !== undefined) {
    add('', body);
    add('ground truth (green)', bold, RENDER_COLOURS.groundTruth);
    add(formatAction(input.groundTruth), mono);
  }
  if (input.prediction !== undefined && prediction !== undefined) {
    add('', body);
    add('prediction (red, dashed)', bold, RENDER_COLOURS.prediction);
    if (prediction.ok) add(formatAction(prediction.action), mono);
    else add(`does not parse: ${prediction.error.message}`, body, RENDER_COLOURS.prediction);
    const think = prediction.ok ? prediction.think : undefined;
    add(clipText(think !== undefined ? `think: ${think.trim()}` : input.prediction, maxChars), body, RENDER_COLOURS.muted);
  }
  for (const note of input.notes ?? []) add(note, body);
  if (input.rationale !== undefined && input.rationale.trim() !== '') {
    add('', body);
    add('rationale', bold);
    add(clipText(input.rationale.trim(), maxChars), body);
  }

  const lineHeight = (font: string): number => (font.startsWith('bold') ? 21 : 18);
  const textHeight = lines.reduce((h, l) => h + lineHeight(l.font), 2 * pad);
  const canvas = createCanvas(imageWidth + panelWidth, Math.max(imageHeight, textHeight));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = RENDER_COLOURS.panel;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.imageSmoothingEnabled = scale < 1;
  ctx.drawImage(image, 0, 0, imageWidth, imageHeight);
  if (input.groundTruth !== undefined) drawAction(ctx, input.groundTruth, imageWidth, imageHeight, RENDER_COLOURS.groundTruth, false);
  if (prediction?.ok === true) drawAction(ctx, prediction.action, imageWidth, imageHeight, RENDER_COLOURS.prediction, true);

  let y = pad;
  ctx.textBaseline = 'top';
  for (const line of lines) {
    ctx.font = line.font;
    ctx.fillStyle = line.colour;
    ctx.fillText(line.text, imageWidth + pad, y);
    y += lineHeight(line.font);
  }
  const png = await canvas.encode('png');
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
