import * as vscode from 'vscode';
import { parseDataFile } from '../core/dataFile';
import { firstInitializationAnalysis, measureEntry, type MeasuredModel, type ModelEntry } from '../core/pipeline/index';
import { parseSource } from '../core/source';
import { readDataFile } from '../core/nodeFiles';
import type { RunOptions, RunSummary, WorkerToHost } from '../training/protocol';
import { TrainingSession } from '../training/session';
import { graphSignature, type AnalysisStore, type ModelMeasurement } from './analysisStore';
import { readSettings, runOptions } from './config';
import { Disposable } from './lifecycle';
import type { ModelIndex } from './modelIndex';

export const RUNNING_CONTEXT = 'gradientLens.running';

/** Two dense layers: enough to run tfjs' model build, gradients and the probe once. */
const WARM_UP_MODEL = `const m = tf.sequential();
m.add(tf.layers.dense({ units: 8, activation: 'sigmoid', inputShape: [4] }));
m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });`;

/**
 * Runs analyses: one training session (worker) for the window, a progress notification with
 * Cancel, and results into the store. Never throws to its callers. Every worker message and the
 * run's outcome are events (the status bar and the panel show them).
 */
export class AnalysisController extends Disposable {
  /** One worker per concurrent run, up to `gradientLens.maxConcurrentRuns`; made on demand. */
  private readonly sessions: TrainingSession[] = [];
  private warmSession: TrainingSession | undefined;
  private warming: Promise<void> | undefined;
  /** Runs in progress by document and model. */
  private readonly runs = new Map<string, AbortController>();
  private readonly runEvents = this._register(new vscode.EventEmitter<{ uri: vscode.Uri; model: string; message: WorkerToHost }>());
  /** Every worker message of the run in progress, for live views. */
  readonly onRunEvent = this.runEvents.event;
  private readonly runEnded = this._register(new vscode.EventEmitter<{ uri: vscode.Uri; model: string; outcome: string }>());
  /** A run ended: `outcome` says how when no result was stored (failed, cancelled, discarded). */
  readonly onRunEnded = this.runEnded.event;
  /** First verdicts in the store (key: uri + model), with what the store held before them. */
  private readonly firstVerdicts = new Map<string, { readonly previous: ModelMeasurement | undefined }>();
  /** The run in progress per document (uri string): model and progress text. */
  readonly progress = new Map<string, { model: string; text: string }>();

  constructor(
    private readonly index: ModelIndex,
    private readonly store: AnalysisStore,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register({ dispose: () => this.sessions.forEach((session) => void session.dispose()) });
  }

  /**
   * Starts the first worker ahead of the first Analyze (called once a model file is open), so
   * the first picture does not wait for thread start and tfjs + wasm load.
   */
  warm(): void {
    const session = this.sessions[0] ?? this.newSession();
    session.warm();
    // A first run in a fresh worker is several times slower than the next ones (tfjs and wasm
    // code run for the first time): a tiny model's probe takes that cost in the background.
    const graph = parseSource(WARM_UP_MODEL, 'warm-up.ts').models[0];
    if (!graph || this.warming) return;
    const options = { ...runOptions(readSettings()), epochs: 1, samples: 8, batchSize: 8, probeBatches: 1, seeds: 1, probeOnly: true, timeBudgetMs: 30_000 };
    this.warmSession = session;
    this.warming = session.run(graph, options).then(() => {
      this.warming = undefined;
    });
  }

  /** The worker session, shared with fix verification so one tfjs engine serves both. */
  get trainingSession(): TrainingSession {
    return this.sessions[0] ?? this.newSession();
  }

  private newSession(): TrainingSession {
    const settings = readSettings();
    const session = new TrainingSession({
      backend: settings.backend,
      threads: settings.wasmThreads,
      concurrentWorkers: settings.maxConcurrentRuns,
      log: (line) => this.log.debug(`[worker] ${line}`),
    });
    this.sessions.push(session);
    return session;
  }

  /** A worker with no run, while fewer than the allowed number exist; else none. */
  private idleSession(): TrainingSession | undefined {
    const limit = readSettings().maxConcurrentRuns;
    if (this.runs.size >= limit) return undefined;
    // A session busy with the warm-up counts as idle: the run queues behind it (it takes ~1 s).
    return this.sessions.find((session) => !session.busy || (session === this.warmSession && this.warming)) ?? (this.sessions.length < limit ? this.newSession() : undefined);
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

  /**
   * Trains and measures the given models of a document, one after another (each through the
   * pipeline's `measureEntry`: holes that decide no layer get their documented defaults).
   */
  async analyze(document: vscode.TextDocument, entries: readonly ModelEntry[]): Promise<void> {
    const models = entries.map((e) => e.model);
    const key = `${document.uri.toString()}#${models.map((m) => m.name).join(',')}`;
    const notStarted = (): void => models.forEach((m) => this.runEnded.fire({ uri: document.uri, model: m.name, outcome: 'not started' }));
    if (this.runs.has(key)) {
      void vscode.window.showInformationMessage('Gradient Lens: this analysis is already running.');
      notStarted();
      return;
    }
    const session = this.idleSession();
    if (!session) {
      void vscode.window.showInformationMessage(`Gradient Lens: ${this.runs.size} analysis already running (setting gradientLens.maxConcurrentRuns). Stop it or wait for it to finish.`);
      notStarted();
      return;
    }
    const options = await this.options(document);
    if (!options) {
      notStarted();
      return;
    }
    const abort = new AbortController();
    this.runs.set(key, abort);
    void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, true);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Gradient Lens', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          for (const entry of entries) {
            if (abort.signal.aborted) break;
            const measured = await this.runOne(session, document, entry, options, abort.signal, (text) => progress.report({ message: text }));
            this.progress.delete(document.uri.toString());
            this.runEnded.fire({ uri: document.uri, model: entry.model.name, outcome: measured ? await this.report(document, entry, measured) : 'not measurable' });
          }
        },
      );
    } catch (error) {
      this.log.error('Analysis failed', error);
      void vscode.window.showErrorMessage(`Gradient Lens: the analysis failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.progress.delete(document.uri.toString());
      this.runs.delete(key);
      void vscode.commands.executeCommand('setContext', RUNNING_CONTEXT, this.runs.size > 0);
    }
  }

  private runOne(session: TrainingSession, document: vscode.TextDocument, entry: ModelEntry, options: RunOptions, signal: AbortSignal, say: (text: string) => void): Promise<MeasuredModel | undefined> {
    const graph = entry.model;
    let totalSteps = 0;
    const show = (text: string): void => {
      say(text);
      this.progress.set(document.uri.toString(), { model: graph.name, text });
    };
    show('starting the worker...');
    this.log.info(`Analyzing \`${graph.name}\` in ${vscode.workspace.asRelativePath(document.uri)} (${graph.layers.length} layers)`);
    return measureEntry(
      session,
      entry,
      options,
      readSettings(document.uri).thresholds,
      (message) => {
        if (message.type === 'started') {
          totalSteps = message.totalSteps;
          show(`probing gradients on ${message.backend}...`);
        } else if (message.type === 'steps') {
          const last = message.steps[message.steps.length - 1];
          if (last) show(`epoch ${last.epoch + 1}/${options.epochs}, step ${last.step + 1}/${totalSteps}`);
        } else if (message.type === 'first-initialization') {
          const verdict = this.storeFirstVerdict(document, entry, message.summary, message.planned);
          show(`${verdict ? `${verdict} on the first initialization; ` : ''}confirming on ${message.planned - 1} more initialization${message.planned > 2 ? 's' : ''}...`);
        }
        // After the store has the first verdict, so a live view reading it sees it.
        this.runEvents.fire({ uri: document.uri, model: graph.name, message });
      },
      signal,
    );
  }

  /**
   * Shows the first initialization's verdict at once (diagnostics, status bar, CodeLens, hovers
   * read the store), marked as such, while the other initializations run; the run's final result
   * replaces it. Skipped when the code changed meanwhile. Returns the verdict stored, if any.
   */
  private storeFirstVerdict(document: vscode.TextDocument, entry: ModelEntry, summary: RunSummary, planned: number): string | undefined {
    const graph = entry.model;
    const measurable = entry.measurable();
    const current = document.isClosed ? undefined : this.index.get(document)?.parsed.models.find((m) => m.name === graph.name);
    if (!measurable || !current || graphSignature(current) !== graphSignature(graph)) return undefined;
    const analysis = firstInitializationAnalysis(measurable.graph, summary, planned, readSettings(document.uri).thresholds);
    const key = `${document.uri.toString()}|${graph.name}`;
    if (!this.firstVerdicts.has(key)) this.firstVerdicts.set(key, { previous: this.store.latest(document.uri, graph.name)?.measurement });
    this.store.set(document.uri, graph, summary, analysis, measurable.defaultsUsed);
    this.log.info(`\`${graph.name}\`: first initialization measured in ${(summary.elapsedMs / 1000).toFixed(1)} s; verdict ${analysis.modelVerdict}; confirming on ${planned - 1} more.`);
    return analysis.modelVerdict;
  }

  /** Stores a result; returns what happened in a few words. A first verdict not followed by a stored result is taken back. */
  private async report(document: vscode.TextDocument, entry: ModelEntry, measured: MeasuredModel): Promise<string> {
    const key = `${document.uri.toString()}|${entry.model.name}`;
    const first = this.firstVerdicts.get(key);
    this.firstVerdicts.delete(key);
    const outcome = await this.storeResult(document, entry, measured);
    if (first && outcome.stored === false) this.store.restore(document.uri, entry.model.name, first.previous);
    return outcome.said;
  }

  private async storeResult(document: vscode.TextDocument, entry: ModelEntry, measured: MeasuredModel): Promise<{ said: string; stored: boolean }> {
    const said = (text: string, stored = false) => ({ said: text, stored });
    const { model: graph } = entry;
    const { result } = measured;
    if (result.status === 'error') {
      this.log.error(`\`${graph.name}\`: ${result.message}`);
      void vscode.window.showErrorMessage(`Gradient Lens could not analyze \`${graph.name}\`: ${result.message}`, 'Show Log').then((choice) => {
        if (choice) this.log.show();
      });
      return said('failed');
    }
    if (result.status === 'cancelled') {
      this.log.info(`\`${graph.name}\`: cancelled after ${result.summary?.steps ?? 0} steps`);
      return said('cancelled');
    }
    // The code may have changed while the model trained: numbers for old code would mislead.
    // A closed editor is no reason to drop a result: the file is read again and compared.
    const now = document.isClosed ? await vscode.workspace.openTextDocument(document.uri).then((d) => d, () => undefined) : document;
    const current = now ? this.index.get(now)?.parsed.models.find((m) => m.name === graph.name) : undefined;
    if (!current || graphSignature(current) !== graphSignature(graph)) {
      this.log.warn(`\`${graph.name}\` changed (or its file closed) while it was being measured; the result was discarded. Run Analyze again.`);
      void vscode.window.showWarningMessage(`Gradient Lens: \`${graph.name}\` changed while it was being measured, so the result was discarded. Run Analyze Gradients again.`);
      return said('changed during the run');
    }
    const analysis = measured.analysis;
    if (!analysis) return said('failed');
    // Keyed by the code's graph (not the one with defaults filled), so the result stays current until the code changes.
    this.store.set(document.uri, graph, result.summary, analysis, entry.measurable()?.defaultsUsed);
    this.log.info(
      `\`${graph.name}\`: ${result.summary.steps} steps on ${result.backend} in ${(result.summary.elapsedMs / 1000).toFixed(1)} s; verdict ${analysis.modelVerdict}; ` +
        `${analysis.findings.length} finding(s)`,
    );
    return said(analysis.modelVerdict, true);
  }
}
