import * as vscode from 'vscode';
import type { MeasuredAnalysis } from '../core/analysis/measuredRules';
import type { DefaultUsed, ModelGraph } from '../core/ir';
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
  readonly defaultsUsed?: readonly DefaultUsed[];
}

/** What a measurement depends on: layer types, configs, edges and compile options, not positions. */
export function graphSignature(graph: ModelGraph): string {
  return JSON.stringify([graph.layers.map((l) => [l.type, l.config, l.inbound]), graph.compile?.optimizer, graph.compile?.loss]);
}

/**
 * The last measurement of each model, per document. Feeds measured diagnostics, CodeLens, hovers,
 * the status bar and the panel.
 *
 * A result lives until the model's code changes, not until its editor closes: closing a tab (or a
 * preview tab being replaced) keeps it, and reopening the file shows it again. An edit that
 * changes the model makes the result *stale*: `get` no longer returns it (diagnostics and
 * CodeLens fall back to predictions, stale numbers must not pass for current ones), while `latest`
 * still does, marked stale, so the panel can show it dimmed under "results predate your edit".
 * Undoing the edit makes it fresh again (same signature).
 */
export class AnalysisStore extends Disposable implements FindingSource {
  private readonly byDocument = new Map<string, Map<string, ModelMeasurement>>();
  /** Models (document -> names) whose current code no longer matches their measurement. */
  private readonly staleModels = new Map<string, Set<string>>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;

  constructor(index: ModelIndex) {
    super();
    this._register(index.onDidChange((entry) => {
      const key = entry.uri.toString();
      const results = this.byDocument.get(key);
      if (!results) return;
      const stale = new Set<string>();
      for (const [name, measurement] of results) {
        const graph = entry.parsed.models.find((m) => m.name === name);
        if (!graph || graphSignature(graph) !== measurement.signature) stale.add(name);
      }
      const before = this.staleModels.get(key) ?? new Set<string>();
      this.staleModels.set(key, stale);
      if (stale.size !== before.size || [...stale].some((name) => !before.has(name))) this.changed.fire(entry.uri);
    }));
  }

  /**
   * Keeps a measurement of `model` (the graph as the code says it: its signature decides
   * staleness, also when the run used defaults for holes, listed in `defaultsUsed`).
   */
  set(uri: vscode.Uri, model: ModelGraph, summary: RunSummary, analysis: MeasuredAnalysis, defaultsUsed: readonly DefaultUsed[] = []): void {
    const key = uri.toString();
    const graph = model;
    const results = this.byDocument.get(key) ?? new Map<string, ModelMeasurement>();
    results.set(graph.name, { model: graph.name, summary, analysis, signature: graphSignature(graph), finishedAt: Date.now(), ...(defaultsUsed.length ? { defaultsUsed } : {}) });
    this.byDocument.set(key, results);
    this.staleModels.get(key)?.delete(graph.name);
    this.changed.fire(uri);
  }

  /**
   * Puts back `previous` (what `latest` gave before a run; undefined: nothing) for `model`: a
   * first verdict whose run then failed, was cancelled or was discarded must not stay.
   */
  restore(uri: vscode.Uri, model: string, previous: ModelMeasurement | undefined): void {
    const key = uri.toString();
    const results = this.byDocument.get(key) ?? new Map<string, ModelMeasurement>();
    if (previous) results.set(model, previous);
    else results.delete(model);
    this.byDocument.set(key, results);
    this.changed.fire(uri);
  }

  /** The measurement of a model's current code; undefined when none or when the code changed since. */
  get(uri: vscode.Uri, model: string): ModelMeasurement | undefined {
    return this.isStale(uri, model) ? undefined : this.byDocument.get(uri.toString())?.get(model);
  }

  /** The last measurement of a model, current or not. */
  latest(uri: vscode.Uri, model: string): { readonly measurement: ModelMeasurement; readonly stale: boolean } | undefined {
    const measurement = this.byDocument.get(uri.toString())?.get(model);
    return measurement ? { measurement, stale: this.isStale(uri, model) } : undefined;
  }

  private isStale(uri: vscode.Uri, model: string): boolean {
    return this.staleModels.get(uri.toString())?.has(model) ?? false;
  }

  /** Current (not stale) measurements of a document. */
  all(uri: vscode.Uri): ModelMeasurement[] {
    return [...(this.byDocument.get(uri.toString())?.values() ?? [])].filter((m) => !this.isStale(uri, m.model));
  }

  analyses(uri: vscode.Uri): ReadonlyMap<string, MeasuredAnalysis> {
    return new Map(this.all(uri).map((m) => [m.model, m.analysis] as const));
  }
}
