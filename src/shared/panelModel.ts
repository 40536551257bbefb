/**
 * What the panel shows, computed from plain data (no vscode): the fix sentences of a finding, the
 * bar chart's threshold lines, the one-line description of a run. Unit-tested.
 */
import type { Finding } from '../core/analysis/findings';
import { planFix, type FixCode } from '../core/fixes/index';
import type { DefaultUsed, ModelGraph } from '../core/ir';
import type { RunSummary } from '../core/measurement';
import { formatNumber } from './format';
import { kernelNorm } from './headline';
import type { PanelCaveat, PanelFix, PanelThresholds } from './panelProtocol';

/**
 * A layer is called vanishing when its kernel gradient norm is below 1/100 of the output layer's,
 * once the model-level vanishing rule fired (src/core/analysis/measuredRules.ts, rule 4, "two
 * orders of magnitude below the output"). The panel draws that line; a unit test checks that the
 * layers under it are exactly the ones the rules call vanishing.
 */
export const VANISHING_LAYER_FRACTION = 1e-2;

/** The fixes of a finding with the quick-fix menu's sentences; the first that applies is preferred. */
export function panelFixes(text: string, fileName: string, graph: ModelGraph, codes: readonly string[], layers: readonly string[]): PanelFix[] {
  let preferred = false;
  return codes.map((code) => {
    let plan;
    try {
      plan = planFix(text, fileName, graph, code as FixCode, layers.length ? layers : undefined);
    } catch (error) {
      return { code, title: code, preferred: false, unavailable: error instanceof Error ? error.message : String(error) };
    }
    if ('unavailable' in plan) return { code, title: code, preferred: false, unavailable: plan.unavailable };
    const fix = { code, title: plan.title, preferred: !preferred };
    preferred = true;
    return fix;
  });
}

/**
 * The bar chart's threshold lines, from the rules that coloured the bars: vanishing below 1/100
 * of the output layer's norm when the vanishing rule fired; exploding above `explodingRatio` x
 * the output layer's norm when the exploding ratio rule fired.
 */
export function panelThresholds(summary: RunSummary | undefined, findings: readonly Finding[], vanishingRatio: number, explodingRatio: number): PanelThresholds {
  const base = { vanishingRatio, explodingRatio };
  if (!summary) return base;
  const output = summary.trainableLayers[summary.trainableLayers.length - 1];
  const outputNorm = output ? kernelNorm(summary, output) : undefined;
  if (outputNorm === undefined || !(outputNorm > 0) || !Number.isFinite(outputNorm)) return base;
  const vanishing = findings.some((f) => f.code === 'vanishing-gradient' && f.source === 'measured');
  const exploding = findings.some((f) => f.code === 'exploding-gradient' && f.source === 'measured' && f.rule.includes('ratio'));
  return {
    ...base,
    ...(vanishing
      ? { vanishingBelow: outputNorm * VANISHING_LAYER_FRACTION, vanishingRule: `vanishing below 1/100 of the output layer ${output} (${formatNumber(outputNorm)}); the model is vanishing because the first/last ratio is under ${formatNumber(vanishingRatio)}` }
      : {}),
    ...(exploding ? { explodingAbove: outputNorm * explodingRatio, explodingRule: `exploding above ${formatNumber(explodingRatio)} x the output layer ${output} (${formatNumber(outputNorm)})` } : {}),
  };
}

export function runText(summary: RunSummary): string {
  const why: Record<RunSummary['stoppedBy'], string> = {
    completed: '',
    budget: ', stopped at the time budget',
    cancelled: ', cancelled',
    'non-finite': ', stopped at a non-finite value',
    'probe-only': ' (probe only)',
  };
  return `${summary.steps} training step${summary.steps === 1 ? '' : 's'} on ${summary.backend} in ${formatNumber(summary.elapsedMs / 1000)} s${why[summary.stoppedBy]}`;
}


/**
 * What limits a measurement, in the order a reader needs it: whether the run was cut short (the
 * worker's `partial.reason`, "the 60 s time budget ran out after 12 of 96 training steps"), what
 * the run changed to measure at all (`notes`: a smaller batch for memory or time, the cpu
 * backend), then each value used for an unknown that decides no layer (`defaultsUsed`, with its
 * line from `lineOf`, a 0-based offset to a 1-based line). The CLI prints the same facts
 * (src/core/report.ts); empty when the run measured everything it was asked to with the code's values.
 */
export function runCaveats(summary: RunSummary | undefined, defaultsUsed: readonly DefaultUsed[] | undefined, lineOf: (offset: number) => number): PanelCaveat[] {
  const caveats: PanelCaveat[] = [];
  if (summary?.partial) caveats.push({ kind: 'partial', text: `Partial measurement: ${summary.partial.reason}. The verdict rests on what was measured before that.` });
  for (const note of summary?.notes ?? []) caveats.push({ kind: 'note', text: note });
  for (const used of defaultsUsed ?? []) caveats.push({ kind: 'default', text: sentence(used.message), line: lineOf(used.range.start) });
  return caveats;
}

/** A capital first letter and a full stop, as the panel's other sentences. */
function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}
