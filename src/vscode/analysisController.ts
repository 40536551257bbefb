import * as vscode from 'vscode';
import { measuredFindings } from '../core/analysis/measuredRules';
import { parseDataFile } from '../core/dataFile';
import { readDataFile } from '../core/nodeFiles';
import type { ModelGraph } from '../core/ir';
import type { RunOptions, WorkerToHost } from '../training/protocol';
import { TrainingSession, type RunResult } from '../training/session';
import { graphSignature, type AnalysisStore } from './analysisStore';
import { readSettings, runOptions } from './config';
import { Disposable } from './lifecycle';
import type { ModelIndex } from './modelIndex';

export const RUNNING_CONTEXT = 'gradientLens.running';

function fmt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 1e3 || Math.abs(value) < 1e-2 ? value.toExponential(0) : Number(value.toPrecision(2)).toString();
}

/**
 * Runs analyses: one training session (worker) for the window, a progress notification with
 * Cancel, a status bar item, and results into the store. Never throws to its callers.
 */
export class AnalysisController extends Disposable {
  /** One worker per concurrent run, up to `gradientLens.maxConcurrentRuns`; made on demand. */
  private readonly sessions: TrainingSession[] = [];
  private readonly status = this._register(vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 20));
  /** Runs in progress by document and model. */
  private readonly runs = new Map<string, AbortController>();
  private readonly runEvents = this._register(new vscode.EventEmitter<{ uri: vscode.Uri; model: string; message: WorkerToHost }>());
  /** Every worker message of the run in progress, for live views. */
  readonly onRunEvent = this.runEvents.event;

  constructor(
    private readonly index: ModelIndex,
    private readonly store: AnalysisStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.sessions.forEach((session) => void session.dispose()) });
    this.status.name = 'Gradient Lens';
    this.status.command = 'gradientLens.showLog';
  }

  /** The worker session, shared with fix verification so one tfjs engine serves both. */
  get trainingSession(): TrainingSession {
    return this.sessions[0] ?? this.newSession();
  }

  private newSession(): TrainingSession {
    const session = new TrainingSession({ backend: readSettings().backend, log: (line) => this.log.debug(`[worker] ${line}`) });
    this.sessions.push(session);
    return session;
  }

  /** A worker with no run, while fewer than the allowed number exist; else none. */
  private idleSession(): TrainingSession | undefined {
    const limit = readSettings().maxConcurrentRuns;
    if (this.runs.size >= limit) return undefined;
    return this.sessions.find((session) => !session.busy) ?? (this.sessions.length < limit ? this.newSession() : undefined);
  }

  get running(): boolean {
    return this.runs.size > 0;
  }

  /** Stops every run in progress. */
  stop(): void {
    for (const run of this.runs.values()) run.abort();
  }

  /** Options for a run: settings, plus the data file when the workspace is trusted. */
  private async options(document: vscode.TextDocument): Promise<RunOptions | undefined> {
    const settings = readSettings(document.uri);
    const options = runOptions(settings);
    if (!settings.dataFile) return options;
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Gradient Lens: training on a data file is off in untrusted workspaces; using synthetic data.');
      return options;
    }
    const folder = vscode.workspace.getWorkspaceFolder(document.uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) return options;
    const uri = vscode.Uri.joinPath(folder.uri, settings.dataFile);
    try {
      // Inside the folder by real path (with a separator: `../proj-secrets` is not in `proj`;
      // a link out is refused), a regular file, under the size limit.
      const text = readDataFile(uri.fsPath, [folder.uri.fsPath]);
      return { ...options, data: parseDataFile(text, uri.fsPath) };
    } catch (error) {
      void vscode.window.showErrorMessage(`Gradient Lens: cannot use the data file ${settings.dataFile}: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  /** Trains and measures the given models of a document, one after another. */
  async analyze(document: vscode.TextDocument, models: readonly ModelGraph[]): Promise<void> {
    const key = `${document.uri.toString()}#${models.map((m) => m.name).join(',')}`;
    if (this.runs.has(key)) {
      void vscode.window.showInformationMessage('Gradient Lens: this analysis is already running.');
      return;
    }
    const session = this.idleSession();
    if (!session) {
      void vscode.window.showInformationMessage(`Gradient Lens: ${this.runs.size} analysis already running (setting gradientLens.maxConcurrentRuns). Stop it or wait for it to finish.`);
      return;
    }
    const options = await this.options(document);
    if (!options) return;
    const abort = new AbortController();
    this.runs.set(key, abort);
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Gradient Lens', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          for (const graph of models) {
            if (abort.signal.aborted) break;
            const result = await this.runOne(session, document, graph, options, abort.signal, (text) => progress.report({ message: text }));
            this.report(document, graph, result);
          }
        },
      );
    } catch (error) {
      this.log.error('Analysis failed', error);
      void vscode.window.showErrorMessage(`Gradient Lens: the analysis failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.runs.delete(key);
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, this.runs.size > 0);
    }
  }

  private runOne(session: TrainingSession, document: vscode.TextDocument, graph: ModelGraph, options: RunOptions, signal: AbortSignal, say: (text: string) => void): Promise<RunResult> {
    let totalSteps = 0;
    const show = (text: string): void => {
      say(text);
      this.status.text = `$(sync~spin) ${graph.name}: ${text}`;
      this.status.show();
    };
    show('starting the worker...');
    this.log.info(`Analyzing \`${graph.name}\` in ${vscode.workspace.asRelativePath(document.uri)} (${graph.layers.length} layers)`);
    return session.run(
      graph,
      options,
      (message) => {
        this.runEvents.fire({ uri: document.uri, model: graph.name, message });
        if (message.type === 'started') {
          totalSteps = message.totalSteps;
          show(`probing gradients on ${message.backend}...`);
        } else if (message.type === 'steps') {
          const last = message.steps[message.steps.length - 1];
          if (last) show(`epoch ${last.epoch + 1}/${options.epochs}, step ${last.step + 1}/${totalSteps}`);
        }
      },
      signal,
    );
  }

  private report(document: vscode.TextDocument, graph: ModelGraph, result: RunResult): void {
    if (result.status === 'error') {
      this.status.text = `$(error) ${graph.name}: failed`;
      this.log.error(`\`${graph.name}\`: ${result.message}`);
      void vscode.window.showErrorMessage(`Gradient Lens could not analyze \`${graph.name}\`: ${result.message}`, 'Show Log').then((choice) => {
        if (choice) this.log.show();
      });
      return;
    }
    if (result.status === 'cancelled') {
      this.status.text = `$(circle-slash) ${graph.name}: cancelled`;
      this.log.info(`\`${graph.name}\`: cancelled after ${result.summary?.steps ?? 0} steps`);
      return;
    }
    // The code may have changed while the model trained: numbers for old code would mislead.
    const current = document.isClosed ? undefined : this.index.get(document)?.parsed.models.find((m) => m.name === graph.name);
    if (!current || graphSignature(current) !== graphSignature(graph)) {
      this.status.text = `$(warning) ${graph.name}: changed during the run`;
      this.log.warn(`\`${graph.name}\` changed (or its file closed) while it was being measured; the result was discarded. Run Analyze again.`);
      void vscode.window.showWarningMessage(`Gradient Lens: \`${graph.name}\` changed while it was being measured, so the result was discarded. Run Analyze Gradients again.`);
      return;
    }
    const analysis = measuredFindings(graph, result.summary, readSettings(document.uri).thresholds);
    this.store.set(document.uri, graph, result.summary, analysis);
    const ratio = analysis.ratio !== undefined ? `first/last ${fmt(analysis.ratio)} · ` : '';
    this.status.text = `$(pulse) ${graph.name}: ${ratio}${analysis.modelVerdict}`;
    this.status.show();
    this.log.info(
      `\`${graph.name}\`: ${result.summary.steps} steps on ${result.backend} in ${(result.summary.elapsedMs / 1000).toFixed(1)} s; verdict ${analysis.modelVerdict}; ` +
        `${analysis.findings.length} finding(s)`,
    );
    // Keep the index fresh for the document the result belongs to.
    this.index.get(document);
  }
}
