/** Findings: what Gradient Lens tells the user about a model. Codes are a public contract. */
import type { FixCode } from '../fixes/index';

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
]);

/**
 * After a model was measured, its measured findings replace every static prediction the
 * measurement decides, so a prediction never contradicts a measurement.
 */
export function mergeFindings(staticFindings: readonly Finding[], measured: readonly Finding[], measuredModels: ReadonlySet<string>): Finding[] {
  return [...staticFindings.filter((f) => !(measuredModels.has(f.model) && MEASURABLE.has(f.code))), ...measured];
}
