/** Fix codes (a public contract: extend, don't rename) and the shape of a planned fix. No imports of fix modules, so rules and fixes can both use it. */
import type { TextEdit } from './edits';

export const FIX_CODES = [
  'activation-relu',
  'activation-leaky-relu',
  'activation-elu',
  'init-he',
  'init-glorot',
  'insert-batch-norm',
  'add-residual',
  'rnn-lstm',
  'rnn-gru',
  'clip-gradients',
  // Fixes for causes at the output and in the compile call (outputFixes.ts).
  'output-sigmoid',
  'output-softmax',
  'output-linear',
  'output-units',
  'loss-binary-crossentropy',
  'loss-categorical-crossentropy',
  'loss-sparse-categorical-crossentropy',
  'move-before-output',
  'remove-layer',
  'linear-before-softmax',
  'lower-learning-rate',
] as const;

export type FixCode = (typeof FIX_CODES)[number];

export function isFixCode(value: string): value is FixCode {
  return (FIX_CODES as readonly string[]).includes(value);
}

export type FixPlan =
  | { readonly code: FixCode; readonly title: string; readonly edits: readonly TextEdit[] }
  | { readonly code: FixCode; readonly unavailable: string };

