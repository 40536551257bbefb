import * as vscode from 'vscode';
import type { Finding, Severity } from '../core/analysis/findings';
import type { MeasuredAnalysis } from '../core/analysis/measuredRules';
import { documentFindings } from '../core/pipeline/index';
import type { Hole, LayerNode, ModelGraph } from '../core/ir';
import { blocksTraining, defaultMessage } from '../core/holes';
import { commentPrefix } from '../core/languages';
import { Disposable } from './lifecycle';
import type { DocumentModels, ModelIndex } from './modelIndex';
import { toRange } from './ranges';
import { formatNumber } from '../shared/format';

export const DIAGNOSTIC_SOURCE = 'Gradient Lens';
const DOCS = 'https://github.com/gradient-lens/gradient-lens/blob/main/README.md';

function severity(value: Severity | 'error' | 'warning' | 'info'): vscode.DiagnosticSeverity {
  return value === 'error' ? vscode.DiagnosticSeverity.Error : value === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/**
 * Where a finding's diagnostics go: its own range (the loss or optimizer of the compile call)
 * when it has one, else one entry per distinct layer call (loop iterations share their call's range).
 */
export function findingCalls(model: ModelGraph, finding: Finding): (Pick<LayerNode, 'range'> & Partial<Pick<LayerNode, 'id'>>)[] {
  if (finding.range) return [{ range: finding.range }];
  const seen = new Set<string>();
  const calls: LayerNode[] = [];
  for (const id of finding.layers) {
    const layer = model.layers.find((l) => l.id === id);
    if (!layer) continue;
    const key = `${layer.range.start}:${layer.range.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    calls.push(layer);
  }
  return calls;
}

/** Where measured findings for a document come from (the analysis runs); static ones come from the index. */
export interface FindingSource {
  /** The current measured analysis of each measured model of the document, by model name (their predictions give way to it). */
  analyses(uri: vscode.Uri): ReadonlyMap<string, MeasuredAnalysis>;
  readonly onDidChange: vscode.Event<vscode.Uri>;
}

/**
 * Diagnostics on the exact layer lines: parse problems, static findings, and measured findings
 * when a run produced them (they replace the static prediction of the same code for that model).
 */
export class DiagnosticsFeature extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('gradientLens'));

  constructor(
    index: ModelIndex,
    private readonly measured?: FindingSource,
  ) {
    super();
    this._register(index.onDidChange((entry) => this.update(entry)));
    this._register(index.onDidRemove((uri) => this.collection.delete(uri)));
    if (measured) {
      this._register(measured.onDidChange((uri) => {
        const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
        const entry = document && index.get(document);
        if (entry) this.update(entry);
      }));
    }
    for (const document of vscode.workspace.textDocuments) {
      const entry = index.peek(document);
      if (entry) this.update(entry);
    }
  }

  private update(entry: DocumentModels): void {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.uri.toString());
    if (!document) return;
    const diagnostics: vscode.Diagnostic[] = [];
    for (const problem of entry.parsed.problems) {
      // The TypeScript language service already reports syntax errors.
      if (problem.message.startsWith('Syntax error')) continue;
      const diagnostic = new vscode.Diagnostic(toRange(document, problem.range), problem.message, severity(problem.severity));
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostics.push(diagnostic);
    }
    const seenHoles = new Set<string>();
    for (const model of entry.parsed.models) {
      for (const hole of model.holes ?? []) {
        const key = `${hole.name}@${hole.range.start}`;
        if (seenHoles.has(key)) continue;
        seenHoles.add(key);
        const diagnostic = new vscode.Diagnostic(toRange(document, hole.range), holeMessage(model, hole, document.fileName), vscode.DiagnosticSeverity.Information);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = { value: UNRESOLVED_VALUE, target: vscode.Uri.parse(`${DOCS}#values-the-parser-cannot-know`) };
        diagnostics.push(diagnostic);
      }
    }
    const findings = documentFindings(entry.source, this.measured?.analyses(entry.uri) ?? new Map());
    // One diagnostic per finding, on its first layer call; the other layers are related
    // locations (a finding about 7 layers is one problem, not 7).
    for (const finding of findings) {
      const model = entry.parsed.models.find((m) => m.name === finding.model);
      if (!model) continue;
      const related = model.layers.find((l) => l.id === finding.relatedLayer);
      const [layer, ...others] = findingCalls(model, finding);
      const range = toRange(document, (layer ?? model).range);
      const diagnostic = new vscode.Diagnostic(range, finding.message, severity(finding.severity));
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = { value: finding.code, target: vscode.Uri.parse(`${DOCS}#${finding.code}`) };
      const info: vscode.DiagnosticRelatedInformation[] = [];
      for (const other of others) {
        info.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, toRange(document, other.range)), other.id ? `also \`${other.id}\`` : 'also here'));
      }
      if (related && related.range !== layer?.range && !others.some((o) => o.range === related.range)) {
        info.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, toRange(document, related.range)), `output layer \`${related.id}\``));
      }
      const evidence = evidenceText(finding);
      if (evidence) info.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, range), evidence));
      if (info.length) diagnostic.relatedInformation = info;
      diagnostics.push(diagnostic);
    }
    this.collection.set(entry.uri, diagnostics);
  }
}

export const UNRESOLVED_VALUE = 'unresolved-value';

function holeMessage(model: ModelGraph, hole: Hole, fileName: string): string {
  const known = `\`${hole.name}\` is not known from the code (${hole.role} of \`${model.name}\`, used by ${hole.usedBy.join(', ')}).`;
  const annotation = `\`${commentPrefix(fileName)} gradient-lens: ${hole.name}=${hole.suggestion}\``;
  // A hole that decides no layer or shape does not stop a run: its default stands in.
  if (!blocksTraining(hole)) return `${known} Analyze measures with the default (${defaultMessage(hole)}); to measure another value, annotate the model: ${annotation}.`;
  return `${known} Analyze asks for it, or annotate the model: ${annotation}.`;
}

const num = formatNumber;

/** Graded evidence in one line: the rule that fired and the numbers it judged. */
export function evidenceText(finding: Finding): string | undefined {
  const e = finding.evidence;
  if (!e) return undefined;
  const parts: string[] = [];
  if (e.ratio !== undefined) parts.push(`first/last ratio ${num(e.ratio)}`);
  if (e.ordersPerLayer !== undefined) parts.push(`${num(e.ordersPerLayer)} orders of magnitude per layer`);
  if (e.ordersBelowThreshold !== undefined) parts.push(`${num(e.ordersBelowThreshold)} orders past the ${num(e.threshold ?? 0)} threshold`);
  else if (e.threshold !== undefined) parts.push(`threshold ${num(e.threshold)}`);
  if (e.seeds !== undefined) parts.push(`${e.seedsAgreeing ?? '?'} of ${e.seeds} initializations agree`);
  return `evidence (${finding.rule}): ${parts.join(', ') || 'see the message'}`;
}
