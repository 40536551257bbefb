/**
 * Measured rules: verdicts from a run's gradient statistics. One verdict per layer and per
 * model, in this priority: non-finite values, then dead units, then exploding, then vanishing,
 * then saturation. Each finding carries graded evidence: the first/last ratio, the attenuation
 * per layer in orders of magnitude, the distance to the threshold, and the rule that fired.
 *
 * Threshold defaults follow AutoTrainer (ICSE 2021): vanishing when the first/last kernel
 * gradient ratio is below 1e-3 and the first layer's norm below 1e-4; exploding above a ratio of
 * 70; dying ReLU at 70% dead units; saturation above 50% saturated units.
 */
import type { LayerNode, ModelGraph } from '../ir';
import type { FixCode } from '../fixes/codes';
import { activationOf, RELU_FAMILY } from '../layerKinds';
import type { LayerGradients, RunSummary } from '../../training/protocol';
import type { Finding } from './findings';
import { attributeCauses } from './causes';

export interface MeasuredThresholds {
  readonly vanishingRatio: number;
  readonly vanishingFirstNorm: number;
  readonly explodingRatio: number;
  /** Growth of a layer's gradient norm from initialization to the last epoch that is called exploding. */
  readonly explodingGrowth: number;
  readonly deadFraction: number;
  readonly saturatedFraction: number;
  readonly temporalRatio: number;
}

export const DEFAULT_MEASURED_THRESHOLDS: MeasuredThresholds = {
  vanishingRatio: 1e-3,
  vanishingFirstNorm: 1e-4,
  explodingRatio: 70,
  explodingGrowth: 100,
  deadFraction: 0.7,
  saturatedFraction: 0.5,
  temporalRatio: 1e-3,
};

export type Verdict = 'non-finite' | 'dead' | 'exploding' | 'vanishing' | 'saturated' | 'healthy';

export interface MeasuredAnalysis {
  readonly verdicts: Readonly<Record<string, Verdict>>;
  readonly modelVerdict: Verdict;
  readonly findings: Finding[];
  /** First/last kernel gradient ratio the verdicts were judged on. */
  readonly ratio?: number;
}

function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  return Math.abs(value) >= 1e3 || Math.abs(value) < 1e-2 ? value.toExponential(1) : Number(value.toPrecision(2)).toString();
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** Kernel gradient norm per trainable layer: the last epoch's mean, or the probe's when nothing trained. */
function norms(summary: RunSummary): Map<string, number> {
  const result = new Map<string, number>();
  for (const id of summary.trainableLayers) {
    const trained = summary.layers[id]?.gradNorm;
    const probed = summary.probe?.layers[id]?.kernel?.norm;
    const value = trained ?? probed;
    if (value !== undefined && value !== null) result.set(id, value);
  }
  return result;
}

function probeNorm(stats: Readonly<Record<string, LayerGradients>> | undefined, id: string): number | undefined {
  return stats?.[id]?.kernel?.norm;
}

export function measuredFindings(graph: ModelGraph, summary: RunSummary, thresholds: MeasuredThresholds = DEFAULT_MEASURED_THRESHOLDS): MeasuredAnalysis {
  const findings: Finding[] = [];
  const verdicts: Record<string, Verdict> = {};
  const base = { source: 'measured' as const, model: graph.name };
  const layer = (id: string): LayerNode | undefined => graph.layers.find((l) => l.id === id);
  const trainable = summary.trainableLayers.filter((id) => layer(id));
  const byNorm = norms(summary);
  const firstId = trainable[0];
  const lastId = trainable[trainable.length - 1];
  const first = firstId ? byNorm.get(firstId) : undefined;
  const last = lastId ? byNorm.get(lastId) : undefined;
  const ratio = first !== undefined && last !== undefined && last > 0 ? first / last : undefined;
  const depth = Math.max(1, trainable.length - 1);
  /** The latest measured fraction of dead or saturated units of a layer (training, else probe). */
  const fraction = (id: string, kind: 'dead' | 'saturated'): number | undefined =>
    summary.layers[id]?.activations?.[kind] ?? summary.probe?.activations[id]?.[kind];
  const setVerdict = (id: string, verdict: Verdict): void => {
    verdicts[id] ??= verdict;
  };

  // 1. Non-finite values.
  if (summary.nonFinite) {
    const where = summary.nonFinite.layerId ?? firstId;
    const layers = where ? [where] : [];
    for (const id of trainable) setVerdict(id, 'non-finite');
    findings.push({
      ...base,
      code: 'non-finite-gradient',
      severity: 'error',
      layers,
      rule: 'measured: non-finite value',
      message: `The ${summary.nonFinite.what}${summary.nonFinite.layerId ? ` of \`${summary.nonFinite.layerId}\`` : ''} became Infinity or NaN at step ${summary.nonFinite.step}; training cannot go on from there.`,
      fixes: ['clip-gradients', 'init-he', 'insert-batch-norm'],
      evidence: { step: summary.nonFinite.step },
    });
    const grownLayers = trainable.filter((id) => {
      const p = probeNorm(summary.probe?.layers, id);
      return p === undefined || !Number.isFinite(p) || p > 1e3;
    });
    findings.push({
      ...base,
      code: 'exploding-gradient',
      severity: 'error',
      layers: grownLayers.length ? grownLayers : trainable,
      rule: 'measured: non-finite',
      message:
        `Exploding gradients: values overflow to Infinity/NaN by step ${summary.nonFinite.step}` +
        (ratio !== undefined && Number.isFinite(ratio) ? ` (first/last gradient ratio ${fmt(ratio)})` : '') +
        '. Scale the initializers down (He), normalize, or clip gradients.',
      fixes: ['init-he', 'clip-gradients', 'insert-batch-norm'],
      evidence: { step: summary.nonFinite.step, ...(ratio !== undefined && Number.isFinite(ratio) ? { ratio } : {}) },
      ...(lastId ? { relatedLayer: lastId } : {}),
    });
  }

  // All-zero kernel gradients mean a layer learns nothing: from the start (probe and after one
  // update), or since training made them collapse (the last epoch's mean is exactly zero).
  const zeroFromStart = (id: string): boolean => {
    const values = [probeNorm(summary.probe?.layers, id), probeNorm(summary.probe?.afterFirstUpdate, id), summary.layers[id]?.gradNorm ?? undefined];
    return values.every((v) => v === 0 || v === undefined) && values.some((v) => v === 0);
  };
  const collapsed = (id: string): boolean => summary.steps > 0 && summary.layers[id]?.gradNorm === 0 && !zeroFromStart(id);
  const zeroGradient = summary.nonFinite ? [] : trainable.filter((id) => zeroFromStart(id) || collapsed(id));
  if (zeroGradient.length) {
    for (const id of zeroGradient) setVerdict(id, 'dead');
    const during = zeroGradient.some(collapsed);
    const subject = zeroGradient.length === 1 ? `\`${zeroGradient[0]}\` gets` : `${zeroGradient.length} layers get`;
    findings.push({
      ...base,
      code: 'dead-relu',
      severity: 'warning',
      layers: zeroGradient,
      rule: during ? 'measured: gradients collapsed to zero during training' : 'measured: all-zero gradients',
      message: during
        ? `${subject} exactly zero kernel gradients by the end of training (they were not zero at initialization): learning has stopped there, often from saturated outputs or dead units.`
        : `${subject} exactly zero kernel gradients, at initialization and after updates: nothing flows back to ${zeroGradient.length === 1 ? 'it' : 'them'} (dead units or a blocked path).`,
      fixes: ['activation-leaky-relu', 'init-he', 'activation-elu'],
      evidence: { layers: zeroGradient.length },
    });
  }
  // 2. Dead units (ReLU family): a different problem from tiny gradients, with other fixes.
  // Once values are non-finite, activations say nothing more: the rules below are skipped.
  const dead = summary.nonFinite ? [] : graph.layers.filter((l) => {
    const value = fraction(l.id, 'dead');
    return value !== undefined && value >= thresholds.deadFraction && RELU_FAMILY.has(activationOf(l) ?? 'relu') && !zeroGradient.includes(l.id);
  });
  if (dead.length) {
    const fractions = dead.map((l) => fraction(l.id, 'dead') ?? 0);
    for (const l of dead) setVerdict(l.id, 'dead');
    findings.push({
      ...base,
      code: 'dead-relu',
      severity: 'warning',
      layers: dead.map((l) => l.id),
      rule: 'measured: dead units',
      message: `${dead.length === 1 ? `\`${dead[0]!.id}\` has` : `${dead.length} layers have`} ${percent(Math.max(...fractions))} of units that output zero for every sample: they get no gradient and stop learning (dying ReLU).`,
      fixes: ['activation-leaky-relu', 'init-he', 'activation-elu'],
      evidence: { deadFraction: Math.max(...fractions), threshold: thresholds.deadFraction },
    });
  }

  // 3. Exploding (finite): the first layers get far larger gradients than the last.
  if (!summary.nonFinite && ratio !== undefined && ratio > thresholds.explodingRatio) {
    const grown = trainable.filter((id) => (byNorm.get(id) ?? 0) > (last ?? 0) * thresholds.explodingRatio);
    for (const id of grown) setVerdict(id, 'exploding');
    findings.push({
      ...base,
      code: 'exploding-gradient',
      severity: 'warning',
      layers: grown.length ? grown : [firstId!],
      rule: 'measured: first/last ratio above threshold',
      message: `Exploding gradients: \`${firstId}\` gets a kernel gradient ${fmt(ratio)}x larger than the output layer \`${lastId}\` (threshold ${thresholds.explodingRatio}), about ${fmt(Math.log10(ratio) / depth)} orders of magnitude more per layer.`,
      fixes: ['init-he', 'clip-gradients', 'insert-batch-norm'],
      evidence: { ratio, firstNorm: first!, lastNorm: last!, ordersPerLayer: Math.log10(ratio) / depth, threshold: thresholds.explodingRatio },
      ...(lastId ? { relatedLayer: lastId } : {}),
    });
  }

  // 3b. Exploding by growth: gradients that grow during training even if the ratio looks fine.
  if (!summary.nonFinite && summary.steps > 0 && !findings.some((f) => f.code === 'exploding-gradient')) {
    const growth = trainable
      .map((id) => ({ id, start: probeNorm(summary.probe?.layers, id), end: summary.layers[id]?.gradNorm ?? undefined }))
      .filter((g): g is { id: string; start: number; end: number } => g.start !== undefined && g.end !== undefined && g.start > 0 && g.end / g.start > thresholds.explodingGrowth);
    if (growth.length) {
      const worst = growth.reduce((a, b) => (b.end / b.start > a.end / a.start ? b : a));
      for (const g of growth) setVerdict(g.id, 'exploding');
      findings.push({
        ...base,
        code: 'exploding-gradient',
        severity: 'warning',
        layers: growth.map((g) => g.id),
        rule: 'measured: gradient growth during training',
        message: `Exploding gradients: the kernel gradient of \`${worst.id}\` grew ${fmt(worst.end / worst.start)}x during ${summary.steps} training steps (from ${fmt(worst.start)} to ${fmt(worst.end)}; threshold ${thresholds.explodingGrowth}x).`,
        fixes: ['clip-gradients', 'init-he', 'insert-batch-norm'],
        evidence: { growth: worst.end / worst.start, threshold: thresholds.explodingGrowth },
      });
    }
  }

  // 4. Vanishing: tiny first-layer gradients, unless one update already fixes them (zero init).
  if (!summary.nonFinite && ratio !== undefined && first !== undefined && ratio < thresholds.vanishingRatio && first < thresholds.vanishingFirstNorm && !zeroGradient.includes(firstId!)) {
    const afterFirst = firstId ? probeNorm(summary.probe?.afterFirstUpdate, firstId) : undefined;
    const afterLast = lastId ? probeNorm(summary.probe?.afterFirstUpdate, lastId) : undefined;
    const recovers = afterFirst !== undefined && afterLast !== undefined && afterLast > 0 && afterFirst / afterLast >= thresholds.vanishingRatio && summary.steps === 0;
    if (!recovers) {
      // The layers two orders of magnitude or more below the output are the ones that stop learning.
      const faint = trainable.filter((id) => id !== lastId && !zeroGradient.includes(id) && (byNorm.get(id) ?? Infinity) < (last ?? 0) * 1e-2);
      for (const id of faint) setVerdict(id, 'vanishing');
      const ordersPerLayer = -Math.log10(ratio) / depth;
      findings.push({
        ...base,
        code: 'vanishing-gradient',
        severity: 'warning',
        layers: faint.length ? faint : [firstId!],
        rule: 'measured: first/last ratio and first-layer norm below thresholds',
        message:
          `Vanishing gradients: \`${firstId}\` gets a kernel gradient norm of ${fmt(first)}, ` +
          `${fmt(-Math.log10(ratio))} orders of magnitude below the output layer \`${lastId}\` (${fmt(last!)}); ` +
          `about ${fmt(ordersPerLayer)} orders lost per layer. The first layers barely learn.`,
        fixes: fixesForVanishing(graph, faint.length ? faint : [firstId!]),
        evidence: {
          ratio,
          firstNorm: first,
          lastNorm: last!,
          ordersPerLayer,
          ordersBelowThreshold: Math.log10(thresholds.vanishingRatio / ratio),
          threshold: thresholds.vanishingRatio,
        },
        ...(lastId ? { relatedLayer: lastId } : {}),
      });
    }
  }

  // 5. Saturation.
  // Hidden layers only: a saturated sigmoid output is a confident prediction, not a blocked path.
  const saturated = summary.nonFinite ? [] : graph.layers.filter((l) => {
    if (graph.outputs.includes(l.id)) return false;
    const value = fraction(l.id, 'saturated');
    return value !== undefined && value > thresholds.saturatedFraction;
  });
  if (saturated.length) {
    const fractions = saturated.map((l) => fraction(l.id, 'saturated') ?? 0);
    for (const l of saturated) setVerdict(l.id, 'saturated');
    findings.push({
      ...base,
      code: 'saturating-activation',
      severity: 'warning',
      layers: saturated.map((l) => l.id),
      rule: 'measured: saturated units',
      message: `${saturated.length === 1 ? `\`${saturated[0]!.id}\` has` : `${saturated.length} layers have`} up to ${percent(Math.max(...fractions))} of units in saturation, where the activation's slope is almost zero.`,
      fixes: ['activation-relu', 'init-glorot', 'insert-batch-norm'],
      evidence: { saturatedFraction: Math.max(...fractions), threshold: thresholds.saturatedFraction },
    });
  }

  // Recurrent layers: the gradient through time. Only plain simpleRNNs are judged: at
  // initialization LSTM/GRU look like them, and their gates only help as they learn.
  for (const temporal of summary.probe?.temporal ?? []) {
    if (layer(temporal.layerId)?.type !== 'simpleRNN') continue;
    const steps = temporal.perTimeStep;
    const firstStep = steps[0];
    const lastStep = steps[steps.length - 1];
    if (firstStep === undefined || lastStep === undefined || lastStep <= 0) continue;
    const temporalRatio = firstStep / lastStep;
    if (temporalRatio >= thresholds.temporalRatio) continue;
    setVerdict(temporal.layerId, 'vanishing');
    findings.push({
      ...base,
      code: 'long-sequence-rnn',
      severity: 'warning',
      layers: [temporal.layerId],
      rule: 'measured: gradient per time step',
      message:
        `The gradient reaching the first of ${steps.length} time steps of \`${temporal.layerId}\` is ${fmt(firstStep)}, ` +
        `against ${fmt(lastStep)} at the last: early inputs barely affect learning. ` +
        'LSTM/GRU layers keep gradients through time better as they learn (at initialization they look alike).',
      fixes: ['rnn-lstm', 'rnn-gru'],
      evidence: { ratio: temporalRatio, firstStep, lastStep, timeSteps: steps.length, threshold: thresholds.temporalRatio },
    });
  }

  // Seeds: the ratio rules again on each initialization; a verdict that flips is borderline.
  const seeds = summary.probe?.seeds ?? [];
  if (seeds.length > 1 && firstId && lastId) {
    const seedVerdict = (norms: Readonly<Record<string, number>>): Verdict => {
      const f = norms[firstId];
      const l = norms[lastId];
      if (f === undefined || l === undefined || !Number.isFinite(f) || !Number.isFinite(l)) return 'non-finite';
      const r = l > 0 ? f / l : Number.POSITIVE_INFINITY;
      if (r > thresholds.explodingRatio) return 'exploding';
      if (r < thresholds.vanishingRatio && f < thresholds.vanishingFirstNorm) return 'vanishing';
      return 'healthy';
    };
    const verdictsBySeed = seeds.map((seed) => seedVerdict(seed.kernelNorms));
    const ratios = seeds.map((seed) => (seed.kernelNorms[firstId] ?? NaN) / (seed.kernelNorms[lastId] ?? NaN)).filter(Number.isFinite);
    for (let i = 0; i < findings.length; i++) {
      const finding = findings[i]!;
      if (finding.code !== 'vanishing-gradient' && !(finding.code === 'exploding-gradient' && finding.rule.includes('ratio'))) continue;
      const wanted: Verdict = finding.code === 'vanishing-gradient' ? 'vanishing' : 'exploding';
      const agreeing = verdictsBySeed.filter((v) => v === wanted).length;
      const evidence = {
        ...finding.evidence,
        seeds: seeds.length,
        seedsAgreeing: agreeing,
        ...(ratios.length ? { ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios) } : {}),
      };
      findings[i] = agreeing * 2 > seeds.length
        ? { ...finding, evidence, message: `${finding.message} Same verdict on ${agreeing} of ${seeds.length} initializations.` }
        : {
            ...finding,
            severity: 'info',
            evidence,
            message: `Borderline: ${wanted} on ${agreeing} of ${seeds.length} initializations only (ratio ${ratios.length ? `${fmt(Math.min(...ratios))} to ${fmt(Math.max(...ratios))}` : 'unknown'}). ${finding.message}`,
          };
    }
  }

  for (const id of trainable) setVerdict(id, 'healthy');
  const order: Verdict[] = ['non-finite', 'dead', 'exploding', 'vanishing', 'saturated', 'healthy'];
  const modelVerdict = order.find((v) => Object.values(verdicts).includes(v)) ?? 'healthy';
  // Symptoms explained by a cause in the code (the output, the learning rate) are named by it.
  return { verdicts, modelVerdict, findings: attributeCauses(graph, summary, findings), ...(ratio !== undefined ? { ratio } : {}) };
}

/** Fixes for vanishing, ranked by cause: saturating activations first, then depth. */
function fixesForVanishing(graph: ModelGraph, ids: readonly string[]): FixCode[] {
  const layers = graph.layers.filter((l) => ids.includes(l.id));
  const saturating = layers.some((l) => ['sigmoid', 'tanh', 'hardSigmoid', 'softsign'].includes(activationOf(l) ?? ''));
  // He init fits ReLU layers only: never offered for a saturating stack.
  const fixes: FixCode[] = saturating ? ['activation-relu', 'insert-batch-norm', 'add-residual'] : ['init-he', 'insert-batch-norm', 'add-residual'];
  if (layers.some((l) => l.type === 'simpleRNN')) fixes.push('rnn-lstm', 'rnn-gru');
  return fixes;
}
