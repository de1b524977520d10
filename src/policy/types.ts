import type { TaskKind } from '../protocol/types.js';

/** An encoded image as a policy receives it (PNG or JPEG bytes). */
export interface PolicyImage {
  readonly bytes: Uint8Array;
  readonly mimeType: 'image/png' | 'image/jpeg';
}

/** One request to a policy: an image and an instruction of a task kind (the official suffix is added by the policy). */
export interface PolicyRequest {
  readonly image: PolicyImage;
  readonly instruction: string;
  readonly kind: TaskKind;
}

/** Sampling options shared by every policy; greedy decoding when `temperature` is 0. */
export interface GenerateOptions {
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

/**
 * One interface for "image + instruction → answer text", whatever runs behind it: the local model,
 * an OpenAI-compatible server, the official VLA-R1 server.
 */
export interface Policy {
  /** A short name for reports, e.g. `local:runs/demo/grpo` or `openai:Qwen2.5-VL-3B`. */
  readonly name: string;
  /** Answer texts, one per request, in order. */
  generate(requests: readonly PolicyRequest[], options?: GenerateOptions): Promise<string[]>;
  /** Release resources (sessions, sockets, workers). */
  close(): Promise<void>;
}
