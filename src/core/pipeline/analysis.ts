/**
 * The one analysis pipeline: source text -> models -> predictions -> measurement -> findings.
 * The CLI, the extension and fix verification all call these functions; none of them composes
 * parse, rules, measurement and merging itself, so a new rule or finding kind lands here once.
 *
 *   readSource(text, file, options)              parse + static rules (+ lazily, the graph to measure)
 *   measureEntry(port, entry, options, ...)      train + measured rules, through the MeasurementPort
 *   firstInitializationAnalysis(graph, ...)      a first verdict while more initializations run
 *   verifyEntry(port, source, entry, ...)        each applicable fix measured on a patched copy
 *   modelFindings(entry, measured?)              predictions merged with the measurement
 *   documentFindings(source, measured)           the same for every model of a file
 */
import { mergeFindings, type Finding } from '../analysis/findings';
import { measuredFindings, type MeasuredAnalysis, type MeasuredThresholds } from '../analysis/measuredRules';
import { staticFindings } from '../analysis/staticRules';
import { measurableModel, type MeasurableModel } from '../defaults';
import { applicableFixes, type FixCode } from '../fixes/index';
import type { ModelGraph, ParseResult } from '../ir';
import { isPythonFile } from '../languages';
import type { RunOptions, RunResult, RunSummary } from '../measurement';
import { parseSource, type ParseOptions } from '../source';
import { modelCallIn, type ModelCall } from './buildsModel';
import type { MeasurementPort } from './port';
import { verifyFixes, type Verification, type VariantResult } from './verify';

/** One model of a file, as read, with its predictions. */
export interface ModelEntry {
  /** The model as the code says it (holes, if any, unfilled). */
  readonly model: ModelGraph;
  /** Findings of the static rules on `model`. */
  readonly predicted: readonly Finding[];
  /**
   * The graph a measurement uses: `model` itself, or its re-read with documented defaults for
   * holes that decide no layer or shape (`core/defaults.ts`); undefined when a hole still blocks.
   * Computed on first use (it may re-read the file) and then kept.
   */
  measurable(): MeasurableModel | undefined;
}

/** A source file read by the pipeline: what the parser found, and each model's entry. */
export interface SourceAnalysis {
  readonly file: string;
  readonly text: string;
  readonly options: ParseOptions;
  readonly parsed: ParseResult;
  readonly entries: readonly ModelEntry[];
  /** The file imports tfjs/Keras and calls a layer constructor, but no model was read from it. */
  readonly unreadModel?: ModelCall;
}

/**
 * Reads a source file (TS/JS with tfjs, or Python with Keras): parse problems, models with
 * source ranges, and static findings. Never throws for bad input (the parsers report problems).
 */
export function readSource(text: string, file: string, options: ParseOptions = {}): SourceAnalysis {
  const parsed = parseSource(text, file, options);
  const entries = parsed.models.map((model) => modelEntry(text, file, options, model));
  const unreadModel = parsed.models.length === 0 ? modelCallIn(text, isPythonFile(file)) : undefined;
  return { file, text, options, parsed, entries, ...(unreadModel ? { unreadModel } : {}) };
}

function modelEntry(text: string, file: string, options: ParseOptions, model: ModelGraph): ModelEntry {
  let measurable: { value: MeasurableModel | undefined } | undefined;
  return {
    model,
    predicted: staticFindings(model),
    measurable: () => (measurable ??= { value: measurableModel(text, file, options, model) }).value,
  };
}

/** A finished measurement of one model: the run's result and, when it is `done`, its analysis. */
export interface MeasuredModel {
  /** The graph that was trained (holes filled with defaults when there were any). */
  readonly graph: ModelGraph;
  readonly result: RunResult;
  /** The measured rules' judgement, for a `done` result. */
  readonly analysis?: MeasuredAnalysis;
  /**
   * With several initializations: the first one's judgement alone (`firstInitializationAnalysis`,
   * from the final summary without `initializations`): the first verdict a host showed.
   */
  readonly firstAnalysis?: MeasuredAnalysis;
}

/**
 * Trains and measures one model through `port` (undefined when a hole blocks it: see
 * `ModelEntry.measurable`). Thresholds are the measured rules' (measuredRules.ts).
 */
export async function measureEntry<Event>(
  port: MeasurementPort<Event>,
  entry: ModelEntry,
  options: RunOptions,
  thresholds: MeasuredThresholds,
  onEvent?: (event: Event) => void,
  signal?: AbortSignal,
): Promise<MeasuredModel | undefined> {
  const ready = entry.measurable();
  if (!ready) return undefined;
  const result = await port.run(ready.graph, options, onEvent, signal);
  if (result.status !== 'done') return { graph: ready.graph, result };
  const { summary } = result;
  const planned = 1 + (summary.initializations?.length ?? 0);
  const first = summary.firstInitializationMs !== undefined && planned > 1 ? firstInitializationAnalysis(ready.graph, summary, planned, thresholds) : undefined;
  return { graph: ready.graph, result, analysis: measuredFindings(ready.graph, summary, thresholds), ...(first ? { firstAnalysis: first } : {}) };
}

/**
 * A first verdict (issue 19): the measured rules on the first initialization's run alone, while
 * `planned - 1` more initializations are measured to confirm it (`RunSummary.firstInitializationMs`).
 * Each warning and error says so, and `firstOf` is set; the run's final analysis, over all
 * initializations (`measureEntry`), replaces it.
 * @param summary the `first-initialization` summary (without `initializations`)
 * @param planned initializations the run will measure (>= 2)
 */
export function firstInitializationAnalysis(graph: ModelGraph, summary: RunSummary, planned: number, thresholds: MeasuredThresholds): MeasuredAnalysis {
  const single = measuredFindings(graph, { ...summary, initializations: [] }, thresholds);
  const others = planned - 1;
  const pending = `On the first of ${planned} initializations; the other ${others} ${others === 1 ? 'is' : 'are'} being measured.`;
  return {
    ...single,
    firstOf: planned,
    findings: single.findings.map((f) => (f.severity === 'info' ? f : { ...f, message: `${f.message} ${pending}` })),
  };
}

/** The fixes worth verifying for a model: the applicable fixes of its warnings and errors, in finding order. */
export function fixesToVerify(source: SourceAnalysis, entry: ModelEntry, findings: readonly Finding[]): FixCode[] {
  return [...new Set(findings.filter((f) => f.severity !== 'info').flatMap((f) => applicableFixes(source.text, source.file, entry.model, f)))];
}

/**
 * Measures each fix of `codes` (default: `fixesToVerify` of the measured findings) on a patched
 * copy of the source, on the same data and seeds as `measured` (reused as the "before"), and
 * compares per initialization (verify.ts). Undefined when the model was not measured or no fix applies.
 */
export async function verifyEntry<Event>(
  port: MeasurementPort<Event>,
  source: SourceAnalysis,
  entry: ModelEntry,
  measured: MeasuredModel | undefined,
  options: RunOptions,
  thresholds: MeasuredThresholds,
  codes?: readonly FixCode[],
  onVariant?: (variant: VariantResult) => void,
): Promise<Verification | undefined> {
  const ready = entry.measurable();
  if (!ready) return undefined;
  const before = measured?.result.status === 'done' && measured.analysis ? { summary: measured.result.summary, analysis: measured.analysis } : undefined;
  const chosen = codes ?? fixesToVerify(source, entry, before?.analysis.findings ?? entry.predicted);
  if (!chosen.length) return undefined;
  return verifyFixes(port, source.text, source.file, entry.model.name, chosen, options, {
    parseOptions: ready.options,
    thresholds,
    ...(before ? { before } : {}),
    ...(onVariant ? { onVariant } : {}),
  });
}

/**
 * A model's findings: its predictions, with the measured findings replacing every prediction
 * the measurement decides (`mergeFindings`). Without a measurement, the predictions alone.
 */
export function modelFindings(entry: ModelEntry, measured: MeasuredAnalysis | undefined): Finding[] {
  return measured ? mergeFindings(entry.predicted, measured.findings, new Set([entry.model.name])) : [...entry.predicted];
}

/** Every model's findings in a file, given the measurements by model name (current ones only). */
export function documentFindings(source: SourceAnalysis, measured: ReadonlyMap<string, MeasuredAnalysis>): Finding[] {
  return source.entries.flatMap((entry) => modelFindings(entry, measured.get(entry.model.name)));
}
