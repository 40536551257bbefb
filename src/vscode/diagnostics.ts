import * as vscode from 'vscode';
import { mergeFindings, type Finding, type Severity } from '../core/analysis/findings';
import type { Hole, LayerNode, ModelGraph } from '../core/ir';
import { commentPrefix } from '../core/languages';
import { Disposable } from './lifecycle';
import type { DocumentModels, ModelIndex } from './modelIndex';
import { toRange } from './ranges';

export const DIAGNOSTIC_SOURCE = 'Gradient Lens';
const DOCS = 'https://github.com/gradient-lens/gradient-lens/blob/main/README.md';

function severity(value: Severity | 'error' | 'warning' | 'info'): vscode.DiagnosticSeverity {
  return value === 'error' ? vscode.DiagnosticSeverity.Error : value === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
}

/**
 * Where a finding's diagnostics go: its own range (the loss or optimizer of the compile call)
 * when it has one, else one entry per distinct layer call (loop iterations share their call's range).
 */
export function findingCalls(model: ModelGraph, finding: Finding): Pick<LayerNode, 'range'>[] {
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
  findings(uri: vscode.Uri): readonly Finding[];
  /** Models of the document that have a measurement (their predictions give way to it). */
  measuredModels(uri: vscode.Uri): ReadonlySet<string>;
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
    const measured = this.measured?.findings(entry.uri) ?? [];
    const findings = mergeFindings(entry.staticFindings, measured, this.measured?.measuredModels(entry.uri) ?? new Set());
    for (const finding of findings) {
      const model = entry.parsed.models.find((m) => m.name === finding.model);
      if (!model) continue;
      const related = model.layers.find((l) => l.id === finding.relatedLayer);
      for (const layer of findingCalls(model, finding)) {
        const diagnostic = new vscode.Diagnostic(toRange(document, layer.range), finding.message, severity(finding.severity));
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = { value: finding.code, target: vscode.Uri.parse(`${DOCS}#${finding.code}`) };
        const info: vscode.DiagnosticRelatedInformation[] = [];
        if (related && related.range !== layer.range) {
          info.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, toRange(document, related.range)), `output layer \`${related.id}\``));
        }
        const evidence = evidenceText(finding);
        if (evidence) info.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, toRange(document, layer.range)), evidence));
        if (info.length) diagnostic.relatedInformation = info;
        diagnostics.push(diagnostic);
      }
    }
    this.collection.set(entry.uri, diagnostics);
  }
}

export const UNRESOLVED_VALUE = 'unresolved-value';

function holeMessage(model: ModelGraph, hole: Hole, fileName: string): string {
  return (
    `\`${hole.name}\` is not known from the code (${hole.role} of \`${model.name}\`, used by ${hole.usedBy.join(', ')}). ` +
    `Analyze asks for it, or annotate the model: \`${commentPrefix(fileName)} gradient-lens: ${hole.name}=${hole.suggestion}\`.`
  );
}

function num(value: number): string {
  return Math.abs(value) >= 1e3 || (value !== 0 && Math.abs(value) < 1e-2) ? value.toExponential(1) : Number(value.toPrecision(2)).toString();
}

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
