/**
 * From a model's analysis to its report: the CLI's JSON/SARIF/text and the editor's export are
 * built here from the same pieces, so they cannot drift apart.
 */
import type { MeasuredAnalysis } from '../analysis/measuredRules';
import { holeAdvice } from '../holes';
import { isPythonFile } from '../languages';
import type { RunSummary } from '../measurement';
import { fileReport, type FileReport, type ModelExtras, type VerificationReport } from '../report';
import { LineIndex } from '../text';
import { modelFindings, type MeasuredModel, type ModelEntry, type SourceAnalysis } from './analysis';
import type { Verification } from './verify';

/** Why a model cannot be trained, found before any run (the session's own refusal or tfjs' preflight). */
export interface Refusal {
  readonly message: string;
  readonly layerId?: string;
}

/** What happened to one model: measured, or not (and then whether it could have been). */
export interface ModelOutcome {
  readonly measured?: MeasuredModel;
  readonly verification?: Verification;
  /** For a model not measured (static run): why it could not be, if it could not. */
  readonly refusal?: Refusal;
}

function verificationReport(verification: Verification): VerificationReport[] {
  return verification.variants.map((v) => ({
    fix: v.code,
    verdict: v.verdict,
    explanation: v.explanation,
    ...(v.after?.analysis.ratio !== undefined ? { ratioAfter: v.after.analysis.ratio } : {}),
    ...(v.after ? { verdictAfter: v.after.analysis.modelVerdict } : {}),
    ...(v.perSeed ? { perSeed: v.perSeed } : {}),
  }));
}

/** The note on a model measured without a compile call of its own. */
const UNCOMPILED_NOTE = (name: string): string =>
  `No \`compile\` of \`${name}\` was read: measured with mean squared error and SGD (learning rate 0.01); the loss and optimizer it is trained with may change the verdict.`;

/**
 * A model's report pieces: findings (merged), gradient norms, and the measurement's status:
 * `unresolved` (a hole blocks), `static` (not run), `failed` (refused or errored, on the line at
 * fault), or `measured` (verdict, backend, partial/notes).
 */
function modelExtras(source: SourceAnalysis, lines: LineIndex, entry: ModelEntry, outcome: ModelOutcome): ModelExtras {
  const { model, predicted } = entry;
  const advice = holeAdvice(model, isPythonFile(source.file) ? 'py' : 'ts');
  const ready = entry.measurable();
  if (!ready) return { findings: predicted, measurement: { status: 'unresolved', message: advice ?? 'values the parser cannot know block this model' } };
  const defaultsUsed = ready.defaultsUsed;
  const measured = outcome.measured;
  const failedAt = (message: string, layerId: string | undefined, inCompile?: boolean): ModelExtras => {
    const layer = layerId ? model.layers.find((l) => l.id === layerId) : undefined;
    const at = layer?.range ?? (inCompile && model.compile ? model.compile.range : model.range);
    return { findings: predicted, defaultsUsed, measurement: { status: 'failed', message, line: lines.lineNumber(at.start), ...(layer ? { layer: layer.id } : {}) } };
  };
  if (!measured) {
    // A static run trains nothing, but a model that could not train is still said.
    if (outcome.refusal) return failedAt(outcome.refusal.message, outcome.refusal.layerId);
    return { findings: predicted, defaultsUsed, measurement: { status: 'static', ...(advice ? { message: advice } : {}) } };
  }
  const result = measured.result;
  if (result.status === 'error') return failedAt(result.message, result.layerId, result.inCompile);
  if (result.status === 'cancelled' || !measured.analysis) return failedAt('cancelled', undefined);
  const { summary } = result;
  const analysis = measured.analysis;
  // No compile call read: the worker trains with its fallbacks (measure.ts: mean squared error,
  // SGD at 0.01), which the verdict depends on; said so the user does not take it for their loss.
  const notes = [...(measured.graph.compile ? [] : [UNCOMPILED_NOTE(model.name)]), ...(summary.notes ?? [])];
  const gradNorms = new Map(Object.entries(summary.layers).flatMap(([id, s]) => (s.gradNorm === null ? [] : [[id, s.gradNorm] as const])));
  const initializations = 1 + (summary.initializations?.length ?? 0);
  // What the editor showed after `firstInitializationMs`, while the others were measured.
  const first =
    summary.firstInitializationMs !== undefined && measured.firstAnalysis
      ? { verdict: measured.firstAnalysis.modelVerdict, afterMs: summary.firstInitializationMs }
      : undefined;
  const firstText = first ? `; the first of ${initializations} initializations ${first.verdict === analysis.modelVerdict ? 'gave it' : `said ${first.verdict}`} after ${(first.afterMs / 1000).toFixed(1)} s` : '';
  return {
    defaultsUsed,
    findings: modelFindings(entry, analysis),
    gradNorms,
    measurement: {
      status: 'measured',
      backend: result.backend,
      message: `${summary.steps} step${summary.steps === 1 ? '' : 's'} on ${result.backend} in ${(summary.elapsedMs / 1000).toFixed(1)} s (${summary.stoppedBy}); verdict: ${analysis.modelVerdict}${firstText}`,
      ...(summary.partial ? { partial: true as const, reason: summary.partial.reason } : {}),
      ...(notes.length ? { notes } : {}),
      verdict: analysis.modelVerdict,
      initializations,
      ...(first ? { firstVerdict: first } : {}),
    },
    ...(outcome.verification ? { verification: verificationReport(outcome.verification) } : {}),
  };
}

/**
 * The report of one file under `shownName` (a path relative to where the user is): every model
 * with `outcomeOf(entry)`, and, when the file builds a model the parser could not read, says so.
 */
export function sourceReport(shownName: string, source: SourceAnalysis, outcomeOf: (entry: ModelEntry) => ModelOutcome): FileReport {
  const byModel = new Map(source.entries.map((entry) => [entry.model, entry] as const));
  const lines = new LineIndex(source.text);
  const report = fileReport(shownName, source.text, source.parsed, (model) => {
    const entry = byModel.get(model);
    return entry ? modelExtras(source, lines, entry, outcomeOf(entry)) : {};
  });
  const call = source.unreadModel;
  if (!call) return report;
  const framework = isPythonFile(source.file) ? 'Keras' : 'TensorFlow.js';
  return {
    ...report,
    noModel: {
      line: call.line,
      message: call.loaded
        ? `This file trains a model it loads from a saved file (\`${call.call}...)\` on line ${call.line}): its layers are in that file, not in the source, so nothing was measured. ` +
          'Analyse the code that builds the model (or write its layers here).'
        : `This file builds a model (it imports ${framework} and calls \`${call.call}...)\` on line ${call.line}), but no model could be read from it, so nothing was measured.`,
    },
  };
}

/** The outcome of a model measured earlier (a stored summary and its analysis, e.g. the editor's store). */
export function measuredOutcome(entry: ModelEntry, summary: RunSummary, analysis: MeasuredAnalysis): ModelOutcome {
  return { measured: { graph: entry.measurable()?.graph ?? entry.model, result: { status: 'done', summary, backend: summary.backend }, analysis } };
}
