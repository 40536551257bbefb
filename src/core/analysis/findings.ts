/** Findings: what Gradient Lens tells the user about a model. Codes are a public contract. */
import type { SourceRange } from '../ir';
import type { FixCode } from '../fixes/codes';

export const FINDING_CODES = [
  'vanishing-gradient',
  'exploding-gradient',
  'saturating-activation',
  'dead-relu',
  'init-mismatch',
  'missing-normalization',
  'no-skip-connections',
  'long-sequence-rnn',
  'non-finite-gradient',
  // Root causes at the output and in the compile call (outputRules.ts, causes.ts).
  'softmax-one-unit',
  'output-activation-mismatch',
  'loss-mismatch',
  'layer-after-output',
  'relu-before-softmax',
  'high-learning-rate',
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  /** `static`: a prediction from the code alone. `measured`: from gradients of a run. */
  readonly source: 'static' | 'measured';
  /** The model's name (ModelGraph.name). */
  readonly model: string;
  /** Ids of the layers concerned, in model order. */
  readonly layers: readonly string[];
  readonly message: string;
  /** Fixes that fit the cause, best first. */
  readonly fixes: readonly FixCode[];
  /** Which rule fired, with its numbers (graded evidence). */
  readonly rule: string;
  readonly evidence?: Readonly<Record<string, number>>;
  /** A layer to relate the finding to (for ratios: the output layer). */
  readonly relatedLayer?: string;
  /**
   * Where the finding is reported when that is not its layers' calls: the loss or the optimizer
   * in the compile call (`loss-mismatch`, `high-learning-rate`). Its layers still name the layers concerned.
   */
  readonly range?: SourceRange;
}

/** Severity order, worst first. */
export function severityRank(severity: Severity): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2;
}

/** Codes a measurement decides; the structural ones (init, normalization, skips) stay static. */
const MEASURABLE: ReadonlySet<FindingCode> = new Set([
  'vanishing-gradient',
  'exploding-gradient',
  'saturating-activation',
  'dead-relu',
  'long-sequence-rnn',
  'non-finite-gradient',
  'high-learning-rate',
]);

/**
 * After a model was measured, its measured findings replace every static prediction the
 * measurement decides, so a prediction never contradicts a measurement.
 */
export function mergeFindings(staticFindings: readonly Finding[], measured: readonly Finding[], measuredModels: ReadonlySet<string>): Finding[] {
  // A structural cause the measurement confirmed (same code, with numbers) replaces its prediction too.
  const confirmed = new Set(measured.map((f) => `${f.model}\u0000${f.code}`));
  return [...staticFindings.filter((f) => !(measuredModels.has(f.model) && (MEASURABLE.has(f.code) || confirmed.has(`${f.model}\u0000${f.code}`)))), ...measured];
}
