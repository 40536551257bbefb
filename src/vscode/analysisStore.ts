import * as vscode from 'vscode';
import type { Finding } from '../core/analysis/findings';
import type { MeasuredAnalysis } from '../core/analysis/measuredRules';
import type { ModelGraph } from '../core/ir';
import type { RunSummary } from '../training/protocol';
import type { FindingSource } from './diagnostics';
import { Disposable } from './lifecycle';
import type { ModelIndex } from './modelIndex';

export interface ModelMeasurement {
  readonly model: string;
  readonly summary: RunSummary;
  readonly analysis: MeasuredAnalysis;
  /** What the graph looked like when measured; an edit that changes it makes the result stale. */
  readonly signature: string;
  readonly finishedAt: number;
}

/** What a measurement depends on: layer types, configs, edges and compile options, not positions. */
export function graphSignature(graph: ModelGraph): string {
  return JSON.stringify([graph.layers.map((l) => [l.type, l.config, l.inbound]), graph.compile?.optimizer, graph.compile?.loss]);
}

/**
 * The last measurement of each model, per document. Feeds measured diagnostics, CodeLens and
 * hovers; drops a model's result as soon as an edit changes the model (stale numbers mislead).
 */
export class AnalysisStore extends Disposable implements FindingSource {
  private readonly byDocument = new Map<string, Map<string, ModelMeasurement>>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(index: ModelIndex) {
    super();
    this._register(index.onDidChange((entry) => {
      const results = this.byDocument.get(entry.uri.toString());
      if (!results) return;
      let dropped = false;
      for (const [name, measurement] of results) {
        const graph = entry.parsed.models.find((m) => m.name === name);
        if (!graph || graphSignature(graph) !== measurement.signature) {
          results.delete(name);
          dropped = true;
        }
      }
      if (dropped) this.changed.fire(entry.uri);
    }));
    this._register(index.onDidRemove((uri) => {
      if (this.byDocument.delete(uri.toString())) this.changed.fire(uri);
    }));
  }

  set(uri: vscode.Uri, graph: ModelGraph, summary: RunSummary, analysis: MeasuredAnalysis): void {
    const key = uri.toString();
    const results = this.byDocument.get(key) ?? new Map<string, ModelMeasurement>();
    results.set(graph.name, { model: graph.name, summary, analysis, signature: graphSignature(graph), finishedAt: Date.now() });
    this.byDocument.set(key, results);
    this.changed.fire(uri);
  }

  get(uri: vscode.Uri, model: string): ModelMeasurement | undefined {
    return this.byDocument.get(uri.toString())?.get(model);
  }

  all(uri: vscode.Uri): ModelMeasurement[] {
    return [...(this.byDocument.get(uri.toString())?.values() ?? [])];
  }

  findings(uri: vscode.Uri): readonly Finding[] {
    return this.all(uri).flatMap((m) => m.analysis.findings);
  }

  measuredModels(uri: vscode.Uri): ReadonlySet<string> {
    return new Set(this.all(uri).map((m) => m.model));
  }
}
