/**
 * The coordinate conventions of the ShareRobot ⇄ VLA-R1 converter, in one sentence for `--help` (kept in its own
 * small module so the CLI can show it without loading the converter).
 */
export const SHAREROBOT_CONVENTION =
  'ShareRobot: pixels of the original image (meta_data.original_width x original_height), affordance {x, y, width, height} ' +
  'with (x, y) the TOP-LEFT corner, trajectory points [[x, y], ...] in pixels. VLA-R1: normalised to [0, 1] of the image, ' +
  'box {"x", "y", "width", "height"} with (x, y) the CENTRE, trajectory [[x, y], ...].';
