import * as vscode from 'vscode';
import { headline } from '../shared/headline';
import type { AnalysisController } from './analysisController';
import type { AnalysisStore } from './analysisStore';
import { Disposable } from './lifecycle';
import type { ModelIndex } from './modelIndex';

/**
 * One status bar item that follows the active editor: the run in progress on its file, else the
 * verdict of its measured model ("first/last gradient 34e-9 · vanishing"), "results predate your
 * edit" when the code changed since, or "not measured". Clicking it opens the Gradient panel on
 * that model. Hidden for files without a model.
 */
export class GradientStatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('gradientLens.status', vscode.StatusBarAlignment.Left, 20));
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly index: ModelIndex,
    private readonly store: AnalysisStore,
    private readonly controller: AnalysisController,
    private readonly showPanelCommand: string,
  ) {
    super();
    this.item.name = 'Gradient Lens';
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this._register(index.onDidChange(() => this.soon()));
    this._register(store.onDidChange(() => this.update()));
    this._register(controller.onRunEvent(() => this.soon()));
    this._register(controller.onRunEnded(() => this.update()));
    this._register({ dispose: () => clearTimeout(this.pending) });
    this.update();
  }

  /** Step events come fast: update at most every 100 ms. */
  private soon(): void {
    if (!this.pending) this.pending = setTimeout(() => this.update(), 100);
  }

  update(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
    const document = vscode.window.activeTextEditor?.document;
    const models = document ? (this.index.peek(document)?.parsed.models ?? []) : [];
    if (!document || models.length === 0) {
      this.item.hide();
      return;
    }
    const running = this.controller.progress.get(document.uri.toString());
    const measured = models.map((m) => ({ model: m, latest: this.store.latest(document.uri, m.name) })).filter((m) => m.latest);
    // The model shown: the one running, else the last measured, else the first.
    const shown = running?.model ?? measured.sort((a, b) => b.latest!.measurement.finishedAt - a.latest!.measurement.finishedAt)[0]?.model.name ?? models[0]!.name;
    const latest = this.store.latest(document.uri, shown);
    if (running) {
      this.item.text = `$(sync~spin) ${shown}: ${running.text}`;
      this.item.tooltip = `Gradient Lens is measuring \`${shown}\`. Click to open the Gradient panel.`;
    } else if (latest && !latest.stale) {
      const h = headline(latest.measurement.analysis, latest.measurement.summary);
      this.item.text = `$(pulse) ${shown}: ${h.short}`;
      this.item.tooltip = `${h.words}${h.worst ? `: ${h.worst.text}` : ''}. Click to open the Gradient panel.`;
    } else if (latest) {
      this.item.text = `$(history) ${shown}: results predate your edit`;
      this.item.tooltip = `The last measurement of \`${shown}\` was of code you have edited since. Click to open the Gradient panel and re-run.`;
    } else {
      this.item.text = `$(pulse) ${shown}: not measured`;
      this.item.tooltip = `Gradient Lens: \`${shown}\` has not been measured yet. Click to open the Gradient panel.`;
    }
    this.item.command = { command: this.showPanelCommand, title: 'Show Gradient Panel', arguments: [document.uri, shown] };
    this.item.show();
  }
}
