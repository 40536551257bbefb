/**
 * A measured model's verdict in words, its worst layer with the numbers, and the one-line
 * summary that CodeLens, the status bar and the panel's verdict card all show. Pure.
 */
import type { Finding } from '../core/analysis/findings';
import { severityRank } from '../core/analysis/findings';
import type { MeasuredAnalysis } from '../core/analysis/measuredRules';
import type { RunSummary } from '../core/measurement';
import { formatNumber } from './format';

export interface Headline {
  /** The model verdict as the rules name it: `vanishing`, `healthy`... */
  readonly verdict: string;
  /** The verdict in words: "Vanishing gradients". */
  readonly words: string;
  /** The ratio the verdict stands on, named: "first/last gradient 34e-9", "first/last time step 2.1e-6". */
  readonly metric?: string;
  /** The worst layer and its numbers, in one sentence. */
  readonly worst?: { readonly layer: string; readonly text: string };
  /** The finding the headline stands on (its fixes are the card's). */
  readonly finding?: Finding;
  /** "first/last gradient 34e-9 · vanishing": CodeLens and status bar. */
  readonly short: string;
}

const WORDS: Record<string, string> = {
  healthy: 'Healthy gradients',
  vanishing: 'Vanishing gradients',
  exploding: 'Exploding gradients',
  dead: 'Dead units: zero gradients',
  saturated: 'Saturated activations',
  'non-finite': 'Non-finite values (NaN or Inf)',
  'constant-output': 'Constant output: no gradient reaches any layer',
};

/** For a constant output, the words name its cause (the finding that explains the zeros). */
const CONSTANT_BECAUSE: Record<string, string> = {
  'softmax-one-unit': 'Constant output: softmax over one unit',
  'loss-mismatch': 'Constant loss: cross-entropy over classes on one unit',
  'output-activation-mismatch': 'Constant output: the ReLU output is dead',
};

/** A verdict in words; an unknown one (a rule added later) as itself. */
export function verdictWords(verdict: string): string {
  return WORDS[verdict] ?? verdict.replace(/-/g, ' ');
}

/** Kernel gradient norm of a layer: the last epoch's mean, else the probe's (at initialization). */
export function kernelNorm(summary: RunSummary, id: string): number | undefined {
  const trained = summary.layers[id]?.gradNorm;
  if (trained !== undefined && trained !== null) return trained;
  return summary.probe?.layers[id]?.kernel?.norm;
}

/** The finding that decides the model verdict: worst severity first, then the verdict's own code. */
export function leadingFinding(findings: readonly Finding[], verdict: string): Finding | undefined {
  const codeOf: Record<string, string[]> = {
    vanishing: ['vanishing-gradient', 'long-sequence-rnn'],
    exploding: ['exploding-gradient'],
    dead: ['dead-relu'],
    saturated: ['saturating-activation'],
    'non-finite': ['non-finite-gradient', 'exploding-gradient'],
    'constant-output': ['softmax-one-unit', 'loss-mismatch', 'output-activation-mismatch'],
  };
  const codes = codeOf[verdict] ?? [];
  const ranked = [...findings].sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || rank(a) - rank(b));
  return ranked.find((f) => codes.includes(f.code) && f.severity !== 'info') ?? ranked.find((f) => f.severity !== 'info');
  function rank(f: Finding): number {
    const i = codes.indexOf(f.code);
    return i < 0 ? codes.length : i;
  }
}

export function headline(analysis: MeasuredAnalysis, summary: RunSummary): Headline {
  const verdict = analysis.modelVerdict;
  const finding = leadingFinding(analysis.findings, verdict);
  const temporal = analysis.findings.find((f) => f.code === 'long-sequence-rnn');
  const ratioFinding = analysis.findings.some((f) => f.code === 'vanishing-gradient' || (f.code === 'exploding-gradient' && f.evidence?.ratio !== undefined));
  // A recurrent model's problem is the gradient through time: its headline is that ratio.
  const metric =
    temporal && !ratioFinding && temporal.evidence?.ratio !== undefined
      ? `first/last time step ${formatNumber(temporal.evidence.ratio)}`
      : analysis.ratio !== undefined
        ? `first/last gradient ${formatNumber(analysis.ratio)}`
        : undefined;
  const words =
    temporal && !ratioFinding && verdict === 'vanishing'
      ? 'Vanishing gradients through time'
      : verdict === 'constant-output' && finding && CONSTANT_BECAUSE[finding.code]
        ? CONSTANT_BECAUSE[finding.code]!
        : verdictWords(verdict);
  const worst = finding ? worstLayer(finding, verdict, summary) : undefined;
  return {
    verdict,
    words,
    ...(metric ? { metric } : {}),
    ...(worst ? { worst } : {}),
    ...(finding ? { finding } : {}),
    short: `${metric ? `${metric} · ` : ''}${verdict}`,
  };
}

function worstLayer(finding: Finding, verdict: string, summary: RunSummary): Headline['worst'] {
  const layers = finding.layers.filter((id) => id);
  if (!layers.length) return undefined;
  const output = summary.trainableLayers[summary.trainableLayers.length - 1];
  const outputNorm = output ? kernelNorm(summary, output) : undefined;
  const norms = layers.map((id) => ({ id, norm: kernelNorm(summary, id) }));
  const pick =
    verdict === 'vanishing'
      ? norms.reduce((a, b) => ((b.norm ?? Infinity) < (a.norm ?? Infinity) ? b : a))
      : verdict === 'exploding'
        ? norms.reduce((a, b) => ((b.norm ?? -Infinity) > (a.norm ?? -Infinity) ? b : a))
        : norms[0]!;
  if (finding.code === 'long-sequence-rnn' && finding.evidence?.firstStep !== undefined && finding.evidence.lastStep !== undefined) {
    return { layer: pick.id, text: `${pick.id}: the gradient reaching the first of ${formatNumber(finding.evidence.timeSteps ?? NaN)} time steps is ${formatNumber(finding.evidence.firstStep)}, against ${formatNumber(finding.evidence.lastStep)} at the last` };
  }
  if (pick.norm === undefined) return { layer: pick.id, text: pick.id };
  const relative =
    output && output !== pick.id && outputNorm !== undefined && outputNorm > 0 && pick.norm > 0 && Number.isFinite(pick.norm)
      ? `, ${formatNumber(Math.abs(Math.log10(pick.norm / outputNorm)))} orders of magnitude ${pick.norm < outputNorm ? 'below' : 'above'} the output layer ${output} (${formatNumber(outputNorm)})`
      : '';
  return { layer: pick.id, text: `${pick.id}: kernel gradient norm ${formatNumber(pick.norm)}${relative}` };
}
