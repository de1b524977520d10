/**
 * Parsers for numeric command-line flags, shared by every command. Each throws commander's
 * `InvalidArgumentError`, which commander reports as `error: option '--flag <n>' argument 'x' is invalid. …`.
 *
 * @example
 * program.option('--steps <n>', 'optimiser steps', positiveInteger);
 */
import { InvalidArgumentError } from 'commander';

/** A whole number ≥ 1. */
export function positiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

/** A whole number ≥ 0. */
export function nonNegativeInteger(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

/** A finite number ≥ 0. */
export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

/** A finite number > 0. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** A GRPO group size: a whole number ≥ 2. */
export function groupSize(value: string): number {
  const n = positiveInteger(value);
  if (n < 2) throw new InvalidArgumentError('a group needs at least 2 answers');
  return n;
}

/** How sampled answers are decoded: `sample` or `greedy` (see `train grpo --answer-decoding`). */
export function answerDecoding(value: string): 'sample' | 'greedy' {
  if (value !== 'sample' && value !== 'greedy') throw new InvalidArgumentError('expected sample or greedy');
  return value;
}
