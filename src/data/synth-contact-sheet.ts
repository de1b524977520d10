/**
 * A contact sheet of synthetic samples: a grid of images with the ground-truth box or trajectory drawn on them
 * and the instruction under each, for people to check what the generator makes (docs/contact-sheet.png).
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { resizeCamera } from './scene/camera.js';
import { drawScene } from './scene/render.js';
import { encodePng } from './scene/png.js';
import { composeSample, type SynthSample } from './synth-sample.js';
import type { SplitName } from './synth-splits.js';

/** Options of {@link renderContactSheet}. */
export interface ContactSheetOptions {
  readonly seed: number;
  /** Number of examples (default 16). */
  readonly count?: number;
  /** Columns of the grid (default 4). */
  readonly columns?: number;
  /** Size of each image tile in pixels (default 256; the scene is re-rendered at this size). */
  readonly tile?: number;
  /** Image size the dataset uses (sets the camera; default 128). */
  readonly size?: number;
  /** Which split each example comes from, cycled (default: train, then ood every fourth). */
  readonly splits?: readonly SplitName[];
}

function wrap(ctx: SKRSContext2D, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (ctx.measureText(next).width > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

function drawAnswer(ctx: SKRSContext2D, sample: SynthSample, x: number, y: number, tile: number): void {
  ctx.save();
  ctx.translate(x, y);
  const action = sample.action;
  ctx.lineJoin = 'round';
  if (action.kind === 'affordance') {
    const b = action.box;
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.lineWidth = 4;
    ctx.strokeRect((b.x - b.width / 2) * tile, (b.y - b.height / 2) * tile, b.width * tile, b.height * tile);
    ctx.strokeStyle = 'rgb(0,200,255)';
    ctx.lineWidth = 2;
    ctx.strokeRect((b.x - b.width / 2) * tile, (b.y - b.height / 2) * tile, b.width * tile, b.height * tile);
  } else {
    const pts = action.points;
    for (const [style, width] of [
      ['rgba(255,255,255,0.9)', 5],
      ['rgb(255,40,160)', 2.5],
    ] as const) {
      ctx.strokeStyle = style;
      ctx.lineWidth = width;
      ctx.beginPath();
      pts.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(px * tile, py * tile) : ctx.lineTo(px * tile, py * tile)));
      ctx.stroke();
    }
    pts.forEach(([px, py], i) => {
      ctx.fillStyle = i === 0 ? 'rgb(40,220,80)' : i === pts.length - 1 ? 'rgb(255,220,0)' : 'rgb(255,40,160)';
      ctx.beginPath();
      ctx.arc(px * tile, py * tile, 3.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = 'white';
      ctx.lineWidth = 1;
      ctx.stroke();
    });
  }
  ctx.restore();
}

/**
 * Render the contact sheet to PNG bytes.
 *
 * @example
 * await writeFile('docs/contact-sheet.png', renderContactSheet({ seed: 1 }));
 */
export function renderContactSheet(options: ContactSheetOptions): Buffer {
  const count = options.count ?? 16;
  const columns = options.columns ?? 4;
  const tile = options.tile ?? 256;
  const size = options.size ?? 128;
  const splits = options.splits ?? ['train', 'train', 'train', 'ood'];
  const caption = 58;
  const pad = 8;
  const rows = Math.ceil(count / columns);
  const width = columns * (tile + pad) + pad;
  const height = rows * (tile + caption + pad) + pad;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = 'rgb(250,250,248)';
  ctx.fillRect(0, 0, width, height);
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const split = splits[i % splits.length] as SplitName;
    const index = seen[split] ?? 0;
    seen[split] = index + 1;
    const sample = composeSample({ seed: options.seed, split, index, size });
    const x = pad + (i % columns) * (tile + pad);
    const y = pad + Math.floor(i / columns) * (tile + caption + pad);
    const tileCanvas = createCanvas(tile, tile);
    drawScene(tileCanvas.getContext('2d'), sample.scene, resizeCamera(sample.scene.camera, tile, tile));
    ctx.drawImage(tileCanvas, x, y);
    drawAnswer(ctx, sample, x, y, tile);
    ctx.fillStyle = 'rgb(30,30,30)';
    ctx.font = '12px "DejaVu Sans"';
    const tag = `${split}${sample.meta.shift ? ` (${sample.meta.shift})` : ''} · ${sample.meta.mode}`;
    ctx.fillStyle = 'rgb(110,110,110)';
    ctx.fillText(tag, x, y + tile + 14);
    ctx.fillStyle = 'rgb(20,20,20)';
    wrap(ctx, sample.instruction, tile)
      .slice(0, 3)
      .forEach((line, k) => ctx.fillText(line, x, y + tile + 28 + k * 14));
  }
  return encodePng(ctx.getImageData(0, 0, width, height).data, width, height, { filter: 'adaptive', compression: 'deflate', level: 9 });
}
