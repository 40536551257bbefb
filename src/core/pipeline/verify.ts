/**
 * Fix verification (orchestration over the measurement port): apply each fix to the source in memory, measure the patched model on the
 * same data and seed as the original, and compare. Nothing is written to the user's file.
 * Honest by construction: a fix that does not move the measured gradients is reported as such.
 */
import { measuredFindings, type MeasuredAnalysis, type MeasuredThresholds, DEFAULT_MEASURED_THRESHOLDS } from '../analysis/measuredRules';
import { applyFixes, type FixCode } from '../fixes/index';
import type { ModelGraph } from '../ir';
import type { RunOptions, RunSummary } from '../measurement';
import { parseSource, type ParseOptions } from '../source';
import { formatNumber } from '../../shared/format';
import type { MeasurementPort } from './port';

export type VariantVerdict = 'fixed' | 'improved' | 'no measurable change' | 'worse' | 'not applicable' | 'failed';

export interface MeasuredVariant {
  readonly analysis: MeasuredAnalysis;
  readonly summary: RunSummary;
}

/** One initialization's before/after: the same seed on the original and the patched model. */
export interface SeedComparison {
  readonly seed: number;
  readonly verdict: VariantVerdict;
  readonly explanation: string;
  readonly before: string;
  readonly after: string;
}

export interface VariantResult {
  readonly code: FixCode;
  /** The verdict most initializations share (ties: the worse one). */
  readonly verdict: VariantVerdict;
  /** Why, in a sentence, with the numbers. */
  readonly explanation: string;
  /** Per initialization, before and after on the same seed (when the run measured several). */
  readonly perSeed?: readonly SeedComparison[];
  readonly after?: MeasuredVariant;
  /** The patched source, for a caller that wants to show or apply it. */
  readonly text?: string;
}

export interface Verification {
  readonly model: string;
  readonly before?: MeasuredVariant;
  /** Best first. */
  readonly variants: readonly VariantResult[];
}

const RANK: Record<VariantVerdict, number> = { fixed: 0, improved: 1, 'no measurable change': 2, worse: 3, 'not applicable': 4, failed: 5 };

/** Orders of magnitude between the first/last ratio and 1: 0 is perfectly balanced. */
function imbalance(analysis: MeasuredAnalysis): number {
  const ratio = analysis.ratio;
  return ratio === undefined || !Number.isFinite(ratio) || ratio <= 0 ? Number.POSITIVE_INFINITY : Math.abs(Math.log10(ratio));
}

/** The shared number format; a ratio that could not be computed says so (never "undefined"). */
function fmt(value: number | undefined): string {
  return value === undefined ? 'not measured' : formatNumber(value);
}

function compare(code: FixCode, before: MeasuredVariant, after: MeasuredVariant): { verdict: VariantVerdict; explanation: string } {
  // Gated RNNs are judged by the gradient through time itself: the measured rules do not judge
  // LSTM/GRU at initialization, so a change of model verdict would prove nothing.
  const temporal = (s: RunSummary): number | undefined => {
    const steps = s.probe?.temporal[0]?.perTimeStep;
    return steps && steps.length && steps[steps.length - 1]! > 0 ? steps[0]! / steps[steps.length - 1]! : undefined;
  };
  if (code === 'rnn-lstm' || code === 'rnn-gru') {
    const t0 = temporal(before.summary);
    const t1 = temporal(after.summary);
    const moved = t0 !== undefined && t1 !== undefined && t1 > 0 && (t0 <= 0 || Math.log10(t1 / Math.max(t0, 1e-30)) > 1);
    return moved
      ? { verdict: 'improved', explanation: `the gradient reaching the first time step grew: ${fmt(t0)} -> ${fmt(t1)} of the last step's.` }
      : { verdict: 'no measurable change', explanation: `at initialization a gated RNN passes gradients through time like a simpleRNN (${fmt(t0)} -> ${fmt(t1)} of the last step's); its benefit shows as it learns, over longer training than this check.` };
  }
  const problemBefore = before.analysis.modelVerdict !== 'healthy';
  const problemAfter = after.analysis.modelVerdict !== 'healthy';
  const ratios = `first/last gradient ratio ${fmt(before.analysis.ratio)} -> ${fmt(after.analysis.ratio)}`;
  const comparable = after.analysis.ratio !== undefined && Number.isFinite(after.analysis.ratio) && after.analysis.ratio > 0;
  if (problemBefore && !problemAfter && comparable) return { verdict: 'fixed', explanation: `${before.analysis.modelVerdict} -> healthy (${ratios}).` };
  if (!comparable && before.analysis.modelVerdict !== 'non-finite') {
    return { verdict: 'no measurable change', explanation: `the patched model's first/last gradient ratio could not be measured (${ratios}); nothing can be claimed.` };
  }
  const gain = imbalance(before.analysis) - imbalance(after.analysis);
  if (!Number.isFinite(gain)) {
    if (before.analysis.modelVerdict === 'non-finite' && after.analysis.modelVerdict !== 'non-finite') {
      return { verdict: 'improved', explanation: `gradients stay finite now (${ratios}).` };
    }
    return { verdict: 'no measurable change', explanation: `still ${after.analysis.modelVerdict} (${ratios}).` };
  }
  if (gain >= 1) return { verdict: 'improved', explanation: `${fmt(gain)} orders of magnitude closer to balanced (${ratios}); still ${after.analysis.modelVerdict}.` };
  if (gain <= -1) return { verdict: 'worse', explanation: `${fmt(-gain)} orders of magnitude further from balanced (${ratios}).` };
  return { verdict: 'no measurable change', explanation: `${ratios}; verdict ${after.analysis.modelVerdict}.` };
}

/** Each initialization of a measured variant, judged alone (the first is the run's own seed). */
function initializations(graph: ModelGraph, variant: MeasuredVariant, thresholds: MeasuredThresholds): (MeasuredVariant & { seed: number })[] {
  const runs = [variant.summary, ...(variant.summary.initializations ?? [])];
  if (runs.length === 1) return [{ ...variant, seed: variant.summary.initSeed ?? 0 }];
  return runs.map((run) => {
    const single: RunSummary = { ...run, initializations: [] };
    return { summary: single, analysis: measuredFindings(graph, single, thresholds), seed: run.initSeed ?? 0 };
  });
}

/**
 * Before and after on the same seeds, compared per initialization; the overall verdict is the
 * one most initializations give (a tie goes to the worse), so "fixed" is never one lucky draw.
 */
function compareOnSeeds(code: FixCode, original: ModelGraph, patched: ModelGraph, before: MeasuredVariant, after: MeasuredVariant, thresholds: MeasuredThresholds): { verdict: VariantVerdict; explanation: string; perSeed?: SeedComparison[] } {
  const b = initializations(original, before, thresholds);
  const a = initializations(patched, after, thresholds);
  const n = Math.min(a.length, b.length);
  if (n <= 1) return compare(code, before, after);
  const perSeed: SeedComparison[] = [];
  for (let i = 0; i < n; i++) {
    const one = compare(code, b[i]!, a[i]!);
    perSeed.push({ seed: b[i]!.seed, ...one, before: b[i]!.analysis.modelVerdict, after: a[i]!.analysis.modelVerdict });
  }
  const counts = new Map<VariantVerdict, number>();
  for (const p of perSeed) counts.set(p.verdict, (counts.get(p.verdict) ?? 0) + 1);
  const [verdict, k] = [...counts.entries()].sort((x, y) => y[1] - x[1] || RANK[y[0]] - RANK[x[0]])[0]!;
  const first = perSeed.find((p) => p.verdict === verdict)!;
  const seeds = perSeed.map((p, i) => `${i + 1}: ${p.before} -> ${p.after}`).join('; ');
  return { verdict, explanation: `${verdict} on ${k} of ${n} initializations (${seeds}); e.g. ${first.explanation}`, perSeed };
}

async function measureGraph(port: MeasurementPort, graph: ModelGraph, options: RunOptions, thresholds: MeasuredThresholds): Promise<MeasuredVariant | string> {
  const result = await port.run(graph, options);
  if (result.status !== 'done') return result.status === 'error' ? result.message : 'the run was cancelled';
  return { summary: result.summary, analysis: measuredFindings(graph, result.summary, thresholds) };
}

/**
 * Measures `modelName` in `text` as it is, then once per fix with that fix applied, on the same
 * data and seeds (every initialization of `options.seeds`), and compares them seed by seed.
 * `onVariant` reports each result as it arrives (for live views).
 */
export async function verifyFixes(
  port: MeasurementPort,
  text: string,
  fileName: string,
  modelName: string,
  codes: readonly FixCode[],
  options: RunOptions,
  extra: {
    readonly parseOptions?: ParseOptions;
    readonly thresholds?: MeasuredThresholds;
    /** The original's measurement when the caller has it already (same options). */
    readonly before?: MeasuredVariant;
    readonly onVariant?: (variant: VariantResult) => void;
  } = {},
): Promise<Verification> {
  const { parseOptions = {}, thresholds = DEFAULT_MEASURED_THRESHOLDS, onVariant } = extra;
  const original = parseSource(text, fileName, parseOptions).models.find((m) => m.name === modelName);
  if (!original) return { model: modelName, variants: codes.map((code) => ({ code, verdict: 'failed', explanation: `model \`${modelName}\` not found` })) };
  const before = extra.before ?? (await measureGraph(port, original, options, thresholds));
  if (typeof before === 'string') {
    return { model: modelName, variants: codes.map((code) => ({ code, verdict: 'failed', explanation: `the original model could not be measured: ${before}` })) };
  }
  const variants: VariantResult[] = [];
  for (const code of codes) {
    const applied = applyFixes(text, fileName, modelName, [code], parseOptions);
    let result: VariantResult;
    if (!applied.applied.length) {
      result = { code, verdict: 'not applicable', explanation: applied.skipped[0]?.reason ?? 'the fix changes nothing' };
    } else {
      const graph = parseSource(applied.text, fileName, parseOptions).models.find((m) => m.name === modelName);
      const after = graph ? await measureGraph(port, graph, options, thresholds) : 'the patched file no longer defines the model';
      result = typeof after === 'string'
        ? { code, verdict: 'failed', explanation: after, text: applied.text }
        : { code, ...compareOnSeeds(code, original, graph!, before, after, thresholds), after, text: applied.text };
    }
    variants.push(result);
    onVariant?.(result);
  }
  variants.sort((a, b) => RANK[a.verdict] - RANK[b.verdict] || (a.after && b.after ? imbalance(a.after.analysis) - imbalance(b.after.analysis) : 0));
  return { model: modelName, before, variants };
}
