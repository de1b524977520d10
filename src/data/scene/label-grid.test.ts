import { describe, expect, it } from 'vitest';
import { composeSample } from '../synth-sample.js';
import { objectHull } from './geometry.js';
import { pointInConvexPolygon } from './polygon.js';
import { ROBOT_CELL, sceneLabelGrid, TABLE_CELL } from './label-grid.js';

const sample = composeSample({ seed: 1, split: 'train', index: 0, size: 128 });

describe('sceneLabelGrid', () => {
  it('labels the objects, the robot and the table of a scene where the renderer paints them', () => {
    const labels = sceneLabelGrid(sample.scene, 16);
    expect(labels.grid).toBe(16);
    expect(labels.instances).toHaveLength(256);
    expect(labels.parts).toHaveLength(256);
    expect(labels.objects.map((o) => `${o.colour} ${o.category}`)).toEqual(['black bowl', 'orange cup', 'red pan', 'green cup']);
    const rows = Array.from({ length: 16 }, (_, r) => labels.instances.slice(r * 16, r * 16 + 16));
    // The black bowl (A) behind the orange cup (B); the arm comes down column 9; the pan (C) on the right.
    expect(rows[4]).toBe('...AAA...#......');
    expect(rows[7]).toBe('.....B......C...');
    expect(rows[9]).toBe('..DD........CCC.');
    expect(rows[15]).toBe(TABLE_CELL.repeat(16));
    expect(labels.parts.slice(4 * 16, 5 * 16)).toBe('...000..........');
  });

  it('puts every object cell inside the object silhouette, and parts only on objects', () => {
    for (let index = 0; index < 6; index++) {
      const { scene } = composeSample({ seed: 3, split: 'train', index, size: 96 });
      const grid = 12;
      const labels = sceneLabelGrid(scene, grid);
      for (let i = 0; i < grid * grid; i++) {
        const code = labels.instances[i] as string;
        const centre: [number, number] = [(((i % grid) + 0.5) / grid) * 96, ((Math.floor(i / grid) + 0.5) / grid) * 96];
        if (code === TABLE_CELL || code === ROBOT_CELL) {
          expect(labels.parts[i]).toBe('.');
          continue;
        }
        const object = scene.objects[code.charCodeAt(0) - 65];
        expect(object).toBeDefined();
        if (object) expect(pointInConvexPolygon(centre, objectHull(scene.camera, object))).toBe(true);
        const part = labels.parts[i] as string;
        if (part !== '.') expect(object?.parts[Number(part)]).toBeDefined();
      }
      expect(labels.instances).toContain(ROBOT_CELL);
    }
  });

  it('rejects a grid that is not a positive integer', () => {
    expect(() => sceneLabelGrid(sample.scene, 0)).toThrow(RangeError);
    expect(() => sceneLabelGrid(sample.scene, 2.5)).toThrow(RangeError);
  });
});
