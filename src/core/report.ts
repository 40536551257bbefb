/**
 * The analysis report: the CLI's `--json` document (contract in DESIGN.md) and the text table.
 * Pure: built from parse results (and, when a run happened, measured gradient norms).
 */
import type { Finding } from './analysis/findings';
import { tfjsLayerNames } from './graph';
import { blocksTraining } from './holes';
import type { DefaultUsed, ModelGraph, ParseResult } from './ir';
import { applicableFixes } from './fixes/index';
import { modelLibrary } from './languages';
import { LineIndex } from './text';
import { formatNumber } from '../shared/format';

export interface LayerReport {
  readonly name: string;
  readonly type: string;
  readonly activation?: string;
  readonly line: number;
  readonly params: number | null;
  readonly outputShape: readonly (number | null)[] | null;
  /** Kernel gradient L2 norm, mean over the last epoch; null when not measured. */
  readonly gradNorm: number | null;
  /** The model this layer comes from, when a model is used as a layer. */
  readonly partOf?: string;
  /** Models nested deeper: every model the layer came through, outermost first. */
  readonly partOfPath?: readonly string[];
  /** A custom layer: what trained in its place. */
  readonly standIn?: string;
  /** `trainable: false` (the code froze it): not updated by training. */
  readonly frozen?: true;
}

export interface FindingReport {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly source: 'static' | 'measured';
  readonly line: number;
  readonly layers: readonly string[];
  readonly message: string;
  readonly fixes: readonly string[];
  readonly rule: string;
  readonly evidence?: Readonly<Record<string, number>>;
}

export interface ModelReport {
  readonly name: string;
  readonly kind: ModelGraph['kind'];
  readonly line: number;
  readonly params: number | null;
  readonly layers: readonly LayerReport[];
  /**
   * How many layers tfjs lists (`model.layers.length`): a model used as a layer counts once,
   * where `layers` lists its layers one by one (marked `partOf`) to measure each.
   */
  readonly tfjsLayers: number;
  readonly findings: readonly FindingReport[];
  /** Why the model was not measured, when it was not (static run, build error...). */
  readonly measurement?: MeasurementReport;
  /** Values the parser could not know; a hole with `blocking` true keeps the model from being measured until it is filled. */
  readonly holes?: readonly HoleReport[];
  /** Unknowns the measurement used a documented default for, and which (`learning rate \`lr\` unknown: used 0.001, Adam's default`). */
  readonly defaultsUsed?: readonly DefaultUsedReport[];
  /** `--verify`: each fix measured on a patched copy, best first. */
  readonly verification?: readonly VerificationReport[];
}

export interface MeasurementReport {
  readonly status: 'measured' | 'static' | 'failed' | 'unresolved';
  readonly message?: string;
  readonly backend?: string;
  /** `measured` with less than the run asked for (the time budget ran out); `reason` says what is missing. */
  readonly partial?: true;
  readonly reason?: string;
  /** What the run changed to measure at all (a smaller batch, the cpu backend). */
  readonly notes?: readonly string[];
  /** `failed`: the 1-based line at fault (the layer named by the error, else the model's line) and that layer. */
  readonly line?: number;
  readonly layer?: string;
  /** The measured model verdict (constant-output, non-finite, dead, exploding, vanishing, saturated, healthy). */
  readonly verdict?: string;
  /** Initializations the verdict was decided over. */
  readonly initializations?: number;
  /**
   * With more than one initialization: the verdict the first one gave alone, and when (ms from the
   * start of the measurement); the editor shows it then, while the others confirm it.
   */
  readonly firstVerdict?: { readonly verdict: string; readonly afterMs: number };
}

export interface HoleReport {
  readonly name: string;
  readonly role: string;
  readonly line: number;
  readonly usedBy: readonly string[];
  readonly suggestion: string;
  /** True when it changes the layers or a shape; false when a default stands in for it (see `defaultsUsed`). */
  readonly blocking: boolean;
}

export interface DefaultUsedReport {
  readonly name: string;
  readonly value: string;
  readonly line: number;
  readonly message: string;
}

export interface VerificationReport {
  readonly fix: string;
  readonly verdict: string;
  readonly explanation: string;
  readonly ratioAfter?: number;
  readonly verdictAfter?: string;
  /** Before and after on each initialization (same seed on the original and the patched model). */
  readonly perSeed?: readonly { readonly seed: number; readonly verdict: string; readonly explanation: string; readonly before: string; readonly after: string }[];
}

export interface FileReport {
  readonly file: string;
  /** `leftOut`: a model or layer the code builds was not read there (ParseProblem.leftOut; exit 3). */
  readonly problems: readonly { readonly line: number; readonly message: string; readonly severity: string; readonly leftOut?: true }[];
  readonly models: readonly ModelReport[];
  /** The file imports tfjs/Keras and calls a layer constructor (at `line`), but no model was read from it. */
  readonly noModel?: { readonly line: number; readonly message: string };
}

export interface Report {
  readonly files: readonly FileReport[];
}

export interface ModelExtras {
  readonly gradNorms?: ReadonlyMap<string, number>;
  readonly findings?: readonly Finding[];
  readonly measurement?: ModelReport['measurement'];
  readonly verification?: readonly VerificationReport[];
  /** Values used for unknowns by the measurement (or that would be used, in a static run). */
  readonly defaultsUsed?: readonly DefaultUsed[];
}

function findingReport(finding: Finding, model: ModelGraph, lines: LineIndex, fixes: readonly string[]): FindingReport {
  const first = model.layers.find((l) => l.id === finding.layers[0]);
  return {
    code: finding.code,
    severity: finding.severity,
    source: finding.source,
    line: lines.lineNumber((finding.range ?? (first ?? model).range).start),
    layers: finding.layers,
    message: finding.message,
    fixes,
    rule: finding.rule,
    ...(finding.evidence ? { evidence: finding.evidence } : {}),
  };
}

export function fileReport(file: string, text: string, parsed: ParseResult, extras: (model: ModelGraph) => ModelExtras = () => ({})): FileReport {
  const lines = new LineIndex(text);
  return {
    file,
    problems: parsed.problems.map((p) => ({ line: lines.lineNumber(p.range.start), message: p.message, severity: p.severity, ...(p.leftOut ? { leftOut: true as const } : {}) })),
    models: parsed.models.map((model) => {
      const extra = extras(model);
      return {
        name: model.name,
        kind: model.kind,
        line: lines.lineNumber(model.range.start),
        params: model.params ?? null,
        tfjsLayers: tfjsLayerNames(model).length,
        layers: model.layers.map((layer) => ({
          name: layer.id,
          type: layer.type,
          ...(layer.activation !== undefined ? { activation: layer.activation } : {}),
          line: lines.lineNumber(layer.range.start),
          params: layer.params ?? null,
          outputShape: layer.outputShape ?? null,
          gradNorm: extra.gradNorms?.get(layer.id) ?? null,
          ...(layer.partOf ? { partOf: layer.partOf } : {}),
          ...(layer.partOfPath ? { partOfPath: layer.partOfPath } : {}),
          ...(layer.config.trainable === false ? { frozen: true as const } : {}),
          ...(layer.custom ? { standIn: layer.custom.output === 'same' ? (layer.inbound.length > 1 ? 'sum of inputs' : 'identity') : layer.custom.output === 'last' ? `linear projection to ${layer.custom.lastDim}` : 'none' } : {}),
        })),
        // Only fixes that apply to this file are offered.
        findings: (extra.findings ?? []).map((f) => findingReport(f, model, lines, applicableFixes(text, file, model, f))),
        ...(model.holes?.length
          ? { holes: model.holes.map((h) => ({ name: h.name, role: h.role, line: lines.lineNumber(h.range.start), usedBy: h.usedBy, suggestion: h.suggestion, blocking: blocksTraining(h) })) }
          : {}),
        ...((extra.defaultsUsed ?? model.defaultsUsed)?.length
          ? { defaultsUsed: (extra.defaultsUsed ?? model.defaultsUsed)!.map((d) => ({ name: d.name, value: d.value, line: lines.lineNumber(d.range.start), message: d.message })) }
          : {}),
        ...(extra.measurement ? { measurement: extra.measurement } : {}),
        ...(extra.verification ? { verification: extra.verification } : {}),
      };
    }),
  };
}

function formatShape(shape: LayerReport['outputShape']): string {
  return shape ? `[${shape.map((d) => (d === null ? 'null' : String(d))).join(',')}]` : '?';
}


/** A plain-text table per model, for terminals. */
export function formatReport(report: Report): string {
  const out: string[] = [];
  for (const file of report.files) {
    out.push(file.file);
    for (const problem of file.problems) out.push(`  line ${problem.line}: ${problem.severity}: ${problem.message}`);
    if (file.noModel) out.push(`  line ${file.noModel.line}: error: ${file.noModel.message}`);
    else if (file.models.length === 0) out.push(`  no ${modelLibrary(file.file)} model found`);
    for (const model of file.models) {
      const params = model.params === null ? 'params unknown' : `${model.params.toLocaleString('en-US')} params`;
      // A model used as a layer is one layer to tfjs: say both counts when they differ.
      const listed = model.tfjsLayers === model.layers.length ? '' : ` (${model.tfjsLayers} as tfjs lists them: ${tfjsLayerNames({ layers: model.layers.map((l) => ({ id: l.name, partOf: l.partOf })) }).join(', ')})`;
      out.push(`  model ${model.name} (${model.kind}, line ${model.line}): ${model.layers.length} layer${model.layers.length === 1 ? '' : 's'}${listed}, ${params}`);
      if (model.measurement?.message) {
        const where = model.measurement.status === 'failed' && model.measurement.line !== undefined ? ` (line ${model.measurement.line})` : '';
        out.push(`    ${model.measurement.partial ? 'measured (partial)' : model.measurement.status}${where}: ${model.measurement.message}`);
      }
      if (model.measurement?.partial) out.push(`    partial: ${model.measurement.reason ?? 'the run ended early'}`);
      for (const note of model.measurement?.notes ?? []) out.push(`    note: ${note}`);
      for (const used of model.defaultsUsed ?? []) out.push(`    default used (line ${used.line}): ${used.message}`);
      const header = ['#', 'layer', 'type', 'activation', 'output shape', 'params', 'line', 'grad norm'];
      const rows = model.layers.map((layer, i) => [
        String(i + 1),
        layer.frozen ? `${layer.name} (frozen)` : layer.name,
        layer.type,
        layer.activation ?? '',
        formatShape(layer.outputShape),
        layer.params === null ? '?' : layer.params.toLocaleString('en-US'),
        String(layer.line),
        formatNumber(layer.gradNorm),
      ]);
      const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
      // Numbers right-aligned (#, params, line, grad norm), text left-aligned.
      const right = new Set([0, 5, 6, 7]);
      const render = (cells: string[]): string => `    ${cells.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()}`;
      out.push(render(header), ...rows.map(render));
      for (const finding of model.findings) {
        out.push(`    ${finding.severity} ${finding.code} (line ${finding.line}): ${finding.message}`);
        if (finding.fixes.length) out.push(`      fixes: ${finding.fixes.join(', ')}`);
      }
      if (model.verification?.length) out.push('    fixes measured on patched copies (best first):');
      for (const variant of model.verification ?? []) out.push(`      ${variant.fix}: ${variant.verdict}: ${variant.explanation}`);
    }
  }
  return out.join('\n');
}
