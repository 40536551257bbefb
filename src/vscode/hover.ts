import * as vscode from 'vscode';
import type { AnalysisStore } from './analysisStore';
import type { ModelIndex } from './modelIndex';
import { toRange } from './ranges';
import { inlineCode, tableCell } from '../core/markdown';

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  return value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4) ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
}

/** Hovering a layer call shows its shape and, after a run, its last measured statistics. */
export class LayerHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly index: ModelIndex,
    private readonly store: AnalysisStore,
  ) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const entry = this.index.get(document);
    if (!entry) return undefined;
    const offset = document.offsetAt(position);
    for (const model of entry.parsed.models) {
      const layers = model.layers.filter((l) => l.range.start <= offset && offset <= l.range.end);
      if (!layers.length) continue;
      const measured = this.store.get(document.uri, model.name);
      const md = new vscode.MarkdownString();
      const first = layers[0]!;
      // Names are user text: escaped, so a `name` with a link or a line break is shown as written.
      md.appendMarkdown(`**Gradient Lens** · ${inlineCode(model.name)} · ${layers.length === 1 ? inlineCode(first.id) : `${layers.length} layers made here (a loop)`}\n\n`);
      md.appendMarkdown('| layer | output shape | params | kernel grad norm | mean \\|g\\| | update ratio | verdict |\n| --- | --- | --- | --- | --- | --- | --- |\n');
      for (const layer of layers.slice(0, 12)) {
        const stats = measured?.summary.layers[layer.id];
        const shape = layer.outputShape ? `[${layer.outputShape.map((d) => d ?? 'null').join(',')}]` : '?';
        md.appendMarkdown(`| ${tableCell(layer.id)} | ${tableCell(shape)} | ${layer.params ?? '?'} | ${fmt(stats?.gradNorm)} | ${fmt(stats?.meanAbs)} | ${fmt(stats?.updateRatio)} | ${tableCell(String(measured?.analysis.verdicts[layer.id] ?? '-'))} |\n`);
      }
      if (layers.length > 12) md.appendMarkdown(`\n... and ${layers.length - 12} more.\n`);
      if (!measured) md.appendMarkdown('\nNot measured yet: run **Gradient Lens: Analyze Gradients**.');
      return new vscode.Hover(md, toRange(document, first.range));
    }
    return undefined;
  }
}
