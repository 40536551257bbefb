import * as vscode from 'vscode';
import type { Finding } from '../core/analysis/findings';
import { applicableFixes, applyFixes, planFix, type FixCode } from '../core/fixes/index';
import { documentFindings } from '../core/pipeline/index';
import { DIAGNOSTIC_SOURCE, findingCalls, UNRESOLVED_VALUE, type FindingSource } from './diagnostics';
import { modelKey, unfilledHoles, type HoleValues } from './holeValues';
import type { ModelIndex } from './modelIndex';
import { toRange } from './ranges';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('gradientLens');

function diagnosticCode(diagnostic: vscode.Diagnostic): string | undefined {
  const code = diagnostic.code;
  return typeof code === 'object' && code !== null ? String(code.value) : code === undefined ? undefined : String(code);
}

/** Quick fixes for Gradient Lens diagnostics: one action per fix code, the best one preferred. */
export class FixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite, FIX_ALL_KIND],
  };

  constructor(
    private readonly index: ModelIndex,
    private readonly measured?: FindingSource,
    private readonly holeValues?: HoleValues,
  ) {}

  private findings(document: vscode.TextDocument): Finding[] {
    const entry = this.index.get(document);
    return entry ? documentFindings(entry.source, this.measured?.analyses(document.uri) ?? new Map()) : [];
  }

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const entry = this.index.get(document);
    if (!entry) return [];
    if (context.only && FIX_ALL_KIND.contains(context.only)) return this.fixAll(document);
    const actions: vscode.CodeAction[] = [...this.holeActions(document, range, context)];
    const text = document.getText();
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
      const code = diagnosticCode(diagnostic);
      const finding = this.findings(document).find((f) => {
        if (f.code !== code) return false;
        const model = entry.parsed.models.find((m) => m.name === f.model);
        return !!model && findingCalls(model, f).some((layer) => toRange(document, layer.range).isEqual(diagnostic.range));
      });
      const model = finding && entry.parsed.models.find((m) => m.name === finding.model);
      if (!finding || !model) continue;
      let preferred = false;
      const offered: FixCode[] = [];
      for (const fix of finding.fixes) {
        const plan = planFix(text, document.fileName, model, fix, finding.layers.length ? finding.layers : undefined);
        // A fix that cannot apply here is not offered (the first applicable one, for the cause, is preferred).
        if ('unavailable' in plan) continue;
        offered.push(fix);
        const action = new vscode.CodeAction(plan.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        for (const edit of plan.edits) action.edit.replace(document.uri, toRange(document, edit.range), edit.newText);
        action.diagnostics = [diagnostic];
        if (!preferred) action.isPreferred = preferred = true;
        actions.push(action);
      }
      if (offered.length) {
        const verify = new vscode.CodeAction('Verify fixes (measure each on a copy, file unchanged)...', vscode.CodeActionKind.QuickFix);
        verify.command = { command: 'gradientLens.verifyFixes', title: 'Verify fixes', arguments: [document.uri, model.name, offered] };
        verify.diagnostics = [diagnostic];
        actions.push(verify);
      }
    }
    return actions;
  }

  /**
   * For values the parser cannot know: "enter values and analyze" on their diagnostics, and
   * "save entered values as annotation" on a model whose holes were filled from remembered values.
   */
  private holeActions(document: vscode.TextDocument, range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const entry = this.index.get(document);
    if (!entry) return [];
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || diagnosticCode(diagnostic) !== UNRESOLVED_VALUE) continue;
      const offset = document.offsetAt(diagnostic.range.start);
      for (const model of entry.parsed.models.filter((m) => m.holes?.some((h) => h.range.start === offset))) {
        const action = new vscode.CodeAction(`Gradient Lens: enter values for \`${model.name}\` and analyze...`, vscode.CodeActionKind.QuickFix);
        action.command = { command: 'gradientLens.analyze', title: 'Analyze', arguments: [document.uri, model.name] };
        action.diagnostics = [diagnostic];
        actions.push(action);
      }
    }
    if (this.holeValues) {
      const start = document.offsetAt(range.start);
      const end = document.offsetAt(range.end);
      for (const model of entry.parsed.models) {
        const remembered = this.holeValues.get(document.uri, modelKey(model));
        if (!Object.keys(remembered).length) continue;
        const line = model.annotation?.lineStart ?? model.range.start;
        const touches = (start <= model.range.end && end >= model.range.start) || (start <= line + 1 && end >= line) || model.layers.some((l) => start <= l.range.end && end >= l.range.start);
        if (!touches || !unfilledHoles(document, model.name).holes.some((h) => h.name in remembered)) continue;
        const action = new vscode.CodeAction(`Gradient Lens: save the values entered for \`${model.name}\` as an annotation`, vscode.CodeActionKind.RefactorRewrite);
        action.command = { command: 'gradientLens.saveHoleValues', title: 'Save as annotation', arguments: [document.uri, model.name] };
        actions.push(action);
      }
    }
    return actions;
  }

  /** `source.fixAll.gradientLens`: the best fix of every warning, each model in turn. */
  private fixAll(document: vscode.TextDocument): vscode.CodeAction[] {
    const original = document.getText();
    let text = original;
    const byModel = new Map<string, FixCode[]>();
    const entry = this.index.get(document);
    for (const finding of this.findings(document)) {
      const model = entry?.parsed.models.find((m) => m.name === finding.model);
      const best = model && applicableFixes(original, document.fileName, model, finding)[0];
      if (finding.severity === 'info' || !best) continue;
      const codes = byModel.get(finding.model) ?? [];
      if (!codes.includes(best)) codes.push(best);
      byModel.set(finding.model, codes);
    }
    for (const [model, codes] of byModel) text = applyFixes(text, document.fileName, model, codes).text;
    if (text === original) return [];
    const action = new vscode.CodeAction('Fix all gradient problems', FIX_ALL_KIND);
    action.edit = new vscode.WorkspaceEdit();
    action.edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(original.length)), text);
    return [action];
  }
}
