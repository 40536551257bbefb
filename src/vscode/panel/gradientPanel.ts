/**
 * The Gradient panel: one webview beside the editor showing the per-layer gradients of the model
 * being (or last) analysed. Singleton with createOrShow / reveal, a serializer, CSP with a nonce,
 * the page's script and style inline (panelHtml.ts), and step updates batched to at most 4 posts a
 * second (the page redraws its charts on each, on the cores the training worker uses).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Finding } from '../../core/analysis/findings';
import { modelFindings, type ModelEntry } from '../../core/pipeline/index';
import { applyEdits } from '../../core/fixes/edits';
import { planFix, type FixCode } from '../../core/fixes/index';
import type { LayerNode, ModelGraph } from '../../core/ir';
import { panelHtml } from '../../shared/panelHtml';
import { panelFixes, panelThresholds, runCaveats, runText } from '../../shared/panelModel';
import { headline as measuredHeadline, kernelNorm } from '../../shared/headline';
import { encodeNonFinite, isRunning, type HostToPanel, type Measurement, type PanelFinding, type PanelFix, type PanelHeadline, type PanelState, type PanelStep, type PanelToHost, type PanelVerification, type RunStatus } from '../../shared/panelProtocol';
import type { ProbeResult, WorkerToHost } from '../../training/protocol';
import type { AnalysisController } from '../analysisController';
import type { AnalysisStore, ModelMeasurement } from '../analysisStore';
import { readSettings } from '../config';
import { Disposable } from '../lifecycle';
import type { ModelIndex } from '../modelIndex';
import { evidenceText } from '../diagnostics';
import { toRange } from '../ranges';

export const PANEL_VIEW_TYPE = 'gradientLens.panel';
const FLUSH_MS = 250;

interface Target {
  readonly uri: vscode.Uri;
  readonly model: string;
}

const keyOf = (target: Target): string => `${target.uri.toString()}#${target.model}`;

export interface PanelServices {
  readonly extensionUri: vscode.Uri;
  readonly index: ModelIndex;
  readonly store: AnalysisStore;
  readonly controller: AnalysisController;
  readonly log?: vscode.LogOutputChannel;
}

/** What a run in progress has shown so far (the probe arrives first, then training steps). */
export interface LiveRun {
  readonly status: RunStatus;
  readonly probe?: ProbeResult;
  readonly trainableLayers?: readonly string[];
}

/**
 * Fix plans re-read the file (a TypeScript or Python parse per fix): they are computed once per
 * document version, so refreshes during a run (the probe's arrival above all) stay cheap and do
 * not take CPU from the worker.
 */
const fixCache = new Map<string, PanelFix[]>();
function cachedFixes(document: vscode.TextDocument, graph: ModelGraph, codes: readonly string[], layers: readonly string[]): PanelFix[] {
  const key = `${document.uri.toString()}@${document.version}|${graph.name}|${codes.join(',')}|${layers.join(',')}`;
  let fixes = fixCache.get(key);
  if (!fixes) {
    if (fixCache.size > 500) fixCache.clear();
    fixes = panelFixes(document.getText(), document.fileName, graph, codes, layers);
    fixCache.set(key, fixes);
  }
  return fixes;
}

/**
 * Builds the panel's state from what the index and store know about one model, and from a run
 * in progress. Says "measured" only of numbers a finished run of the current code produced.
 */
export function panelState(
  document: vscode.TextDocument,
  entry: ModelEntry,
  latest: { readonly measurement: ModelMeasurement; readonly stale: boolean } | undefined,
  live: LiveRun | undefined,
  steps: readonly PanelStep[],
): PanelState {
  const graph = entry.model;
  const line = (offset: number) => document.positionAt(offset).line + 1;
  const lineOf = (id: string | undefined) => line(graph.layers.find((l) => l.id === id)?.range.start ?? graph.range.start);
  const settings = readSettings(document.uri);
  const running = live && isRunning(live.status);
  // While a run goes on, its own numbers only; a finished run otherwise.
  const finished = running ? undefined : latest;
  const fresh = finished && !finished.stale ? finished.measurement : undefined;
  const measurement: Measurement = running ? (live.probe ? 'initialization' : 'none') : finished ? (finished.stale ? 'stale' : 'measured') : 'none';
  const summary = finished?.measurement.summary;
  const trainable = new Set(summary?.trainableLayers ?? (running ? live.trainableLayers : undefined) ?? []);
  const known = running ? trainable.size > 0 : !!summary;
  const toPanel = (f: Finding): PanelFinding => ({
    code: f.code,
    severity: f.severity,
    source: f.source,
    message: f.message,
    layers: f.layers,
    // Only fixes that apply to the file are offered (as in the quick-fix menu).
    fixes: cachedFixes(document, graph, f.fixes, f.layers).filter((fix) => !fix.unavailable),
    // A finding about the compile call (loss, optimizer) points there, else at its first layer.
    line: f.range ? line(f.range.start) : lineOf(f.layers[0]),
    ...(evidenceText(f) ? { evidence: evidenceText(f)! } : {}),
  });
  const findings = modelFindings(entry, fresh?.analysis);
  let headline: PanelHeadline | undefined;
  if (finished) {
    const h = measuredHeadline(finished.measurement.analysis, finished.measurement.summary);
    const fix = h.finding ? cachedFixes(document, graph, h.finding.fixes, h.finding.layers).find((f) => !f.unavailable) : undefined;
    headline = {
      verdict: h.verdict,
      words: h.words,
      ...(h.metric ? { metric: h.metric } : {}),
      ...(h.worst ? { worst: { ...h.worst, line: lineOf(h.worst.layer) } } : {}),
      ...(fix && h.finding && !finished.stale ? { fix: { ...fix, layers: h.finding.layers } } : {}),
      ...(h.finding ? { message: h.finding.message } : {}),
    };
  }
  const probe = running ? live.probe : undefined;
  const caveats = finished ? runCaveats(summary, finished.measurement.defaultsUsed, line) : [];
  return {
    model: graph.name,
    file: vscode.workspace.asRelativePath(document.uri),
    ...(summary ? { backend: summary.backend } : {}),
    ...(graph.params !== undefined ? { params: graph.params } : {}),
    status: live?.status ?? (finished ? { kind: 'done' } : { kind: 'idle' }),
    measurement,
    ...(headline ? { headline } : {}),
    ...(summary ? { runText: runText(summary) } : {}),
    ...(caveats.length ? { caveats } : {}),
    ...(summary?.nonFinite ? { nonFinite: summary.nonFinite } : {}),
    layers: graph.layers.map((layer) => {
      const kernel = summary ? (kernelNorm(summary, layer.id) ?? null) : probe ? (probe.layers[layer.id]?.kernel?.norm ?? null) : undefined;
      const bias = summary ? (summary.layers[layer.id]?.biasGradNorm ?? summary.probe?.layers[layer.id]?.bias?.norm ?? null) : probe ? (probe.layers[layer.id]?.bias?.norm ?? null) : undefined;
      const verdict = finished?.measurement.analysis.verdicts[layer.id];
      return {
        id: layer.id,
        type: layer.type,
        ...(layer.activation ? { activation: layer.activation } : {}),
        line: line(layer.range.start),
        ...(layer.params !== undefined ? { params: layer.params } : {}),
        trainable: known ? trainable.has(layer.id) : (layer.params ?? 0) > 0,
        ...(verdict ? { verdict } : {}),
        ...(kernel !== undefined && (trainable.has(layer.id) || !known) ? { kernelNorm: kernel, biasNorm: bias ?? null } : {}),
        ...(layerNote(layer) ? { note: layerNote(layer) } : {}),
      };
    }),
    steps,
    findings: findings.map(toPanel),
    ...(finished?.stale ? { staleFindings: finished.measurement.analysis.findings.map(toPanel) } : {}),
    temporal: (summary?.probe ?? probe)?.temporal ?? [],
    thresholds: panelThresholds(summary, finished?.measurement.analysis.findings ?? [], settings.thresholds.vanishingRatio, settings.thresholds.explodingRatio),
  };
}

export class GradientPanel extends Disposable {
  private static current: GradientPanel | undefined;
  private target: Target | undefined;
  private state: PanelState | undefined;
  private steps: PanelStep[] = [];
  private pending: PanelStep[] = [];
  private live: LiveRun | undefined;
  private totalSteps = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private ready = false;
  /** The last state posted, as sent: an identical one is not posted again. */
  private lastPosted: string | undefined;
  /** Keyed by document and model (`keyOf`): two files may both call their model `model`. */
  private verification: { key: string; value: PanelVerification } | undefined;
  private applied: { key: string; value: NonNullable<PanelState['applied']> } | undefined;
  /**
   * When Analyze was asked for, until the page draws the run's first chart, and when each step
   * on the way happened (ms after Analyze): the first-picture benchmark reads them from the log.
   */
  private firstPicture: { readonly at: number; readonly marks: string[] } | undefined;

  static createOrShow(services: PanelServices, target?: Target, analyzing = false): GradientPanel {
    const at = Date.now();
    const opened = !GradientPanel.current;
    if (GradientPanel.current) {
      GradientPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Gradient Lens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, GradientPanel.options(services.extensionUri));
      GradientPanel.current = new GradientPanel(panel, services);
    }
    if (analyzing) {
      GradientPanel.current.firstPicture = { at, marks: [opened ? 'new page' : 'page open'] };
      GradientPanel.current.mark('panel created');
      GradientPanel.current.live = { status: { kind: 'starting' } };
      GradientPanel.current.steps = [];
    }
    if (target) GradientPanel.current.show(target);
    return GradientPanel.current;
  }

  /** Restores a panel VS Code kept across a reload; the webview re-renders its saved state. */
  static revive(panel: vscode.WebviewPanel, services: PanelServices): void {
    panel.webview.options = GradientPanel.options(services.extensionUri);
    GradientPanel.current = new GradientPanel(panel, services);
  }

  static get visible(): GradientPanel | undefined {
    return GradientPanel.current;
  }

  private static options(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly services: PanelServices,
  ) {
    super();
    panel.iconPath = vscode.Uri.joinPath(services.extensionUri, 'media', 'icon.png');
    panel.webview.html = this.html();
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(panel.webview.onDidReceiveMessage((message: PanelToHost) => void this.onMessage(message)));
    this._register(services.controller.onRunEvent((event) => this.onRunEvent(event.uri, event.model, event.message)));
    // A run that never started (another one is going on, a bad data file): no "Measuring..." forever.
    this._register(services.controller.onRunEnded((event) => {
      if (event.outcome === 'not started' && this.live?.status.kind === 'starting' && this.target?.model === event.model) {
        this.live = undefined;
        this.firstPicture = undefined;
        void this.refresh();
      }
    }));
    this._register(services.store.onDidChange((uri) => {
      if (this.target && uri.toString() === this.target.uri.toString()) void this.refresh();
    }));
    // Fix titles and predictions follow the code as it is edited.
    this._register(services.index.onDidChange((entry) => {
      if (this.target && entry.uri.toString() === this.target.uri.toString()) void this.refresh();
    }));
  }

  override dispose(): void {
    if (GradientPanel.current === this) GradientPanel.current = undefined;
    clearTimeout(this.flushTimer);
    this.panel.dispose();
    super.dispose();
  }

  show(target: Target): void {
    const changed = !this.target || this.target.uri.toString() !== target.uri.toString() || this.target.model !== target.model;
    this.target = target;
    if (changed && this.live?.status.kind !== 'starting') {
      this.steps = [];
      this.live = undefined;
    }
    void this.refresh();
  }

  /** Shows a verification's before/after numbers in the panel (the file is not touched). */
  async showVerification(verification: PanelVerification): Promise<void> {
    if (!this.target) return;
    // The fix sentences of the code that was verified (a later edit may make a fix inapplicable).
    const document = await this.document();
    const graph = this.graphOf(document);
    this.verification = { key: keyOf(this.target), value: document && graph ? this.titled(document, graph, verification) : verification };
    await this.refresh();
  }

  private post(message: HostToPanel): void {
    if (!this.ready) return;
    const encoded = encodeNonFinite(message);
    if (message.type === 'state') {
      // A refresh that changes nothing (an edit elsewhere in the file) costs the page no redraw.
      const text = JSON.stringify(encoded);
      if (text === this.lastPosted) return;
      this.lastPosted = text;
    } else {
      this.lastPosted = undefined;
    }
    void this.panel.webview.postMessage(encoded);
    if (message.type === 'state' && message.state?.measurement === 'initialization') this.mark('probe state posted');
  }

  /** Notes a step of Analyze -> first picture (once each), at `when` (Date.now()) or now. */
  private mark(what: string, when = Date.now()): void {
    const timeline = this.firstPicture;
    if (timeline && !timeline.marks.some((m) => m.startsWith(`${what} `))) timeline.marks.push(`${what} ${when - timeline.at}`);
  }

  private async document(): Promise<vscode.TextDocument | undefined> {
    if (!this.target) return undefined;
    try {
      return await vscode.workspace.openTextDocument(this.target.uri);
    } catch {
      return undefined;
    }
  }

  private entryOf(document: vscode.TextDocument | undefined): ModelEntry | undefined {
    const target = this.target;
    return document && target ? this.services.index.get(document)?.source.entries.find((e) => e.model.name === target.model) : undefined;
  }

  private graphOf(document: vscode.TextDocument | undefined): ModelGraph | undefined {
    return this.entryOf(document)?.model;
  }

  private async refresh(): Promise<void> {
    const document = await this.document();
    const entry = this.entryOf(document);
    if (!document || !entry || !this.target) {
      this.state = undefined;
    } else {
      const latest = this.services.store.latest(this.target.uri, this.target.model);
      const state = panelState(document, entry, latest, this.live, this.steps);
      const key = keyOf(this.target);
      const verification = this.verification?.key === key ? this.verification.value : undefined;
      const applied = this.applied?.key === key ? this.applied.value : undefined;
      this.state = {
        ...state,
        ...(verification ? { verification: this.titled(document, entry.model, verification) } : {}),
        ...(applied ? { applied } : {}),
      };
    }
    this.post({ type: 'state', state: this.state });
  }

  /** Verification rows with the fix sentences of the quick-fix menu. */
  private titled(document: vscode.TextDocument, graph: ModelGraph, verification: PanelVerification): PanelVerification {
    const titles = new Map(panelFixes(document.getText(), document.fileName, graph, verification.variants.map((v) => v.fix), graph.layers.map((l) => l.id)).map((f) => [f.code, f.title]));
    return { ...verification, variants: verification.variants.map((v) => ({ ...v, title: v.title ?? titles.get(v.fix) ?? v.fix })) };
  }

  private onRunEvent(uri: vscode.Uri, model: string, message: WorkerToHost): void {
    if (message.type === 'started') {
      this.mark('worker started');
      this.totalSteps = message.totalSteps;
      this.target = { uri, model };
      this.steps = [];
      this.pending = [];
      this.live = { status: { kind: 'probe' }, trainableLayers: message.trainableLayers };
      this.applied = undefined;
      void this.refresh();
      return;
    }
    if (!this.target || this.target.uri.toString() !== uri.toString() || this.target.model !== model) return;
    if (message.type === 'probe') {
      if (this.firstPicture) this.services.log?.info(`Probe statistics arrived ${Date.now() - this.firstPicture.at} ms after Analyze.`);
      this.mark('probe at host');
      // The first picture: the probe's per-layer statistics, at initialization, drawn at once.
      this.live = { ...this.live, status: this.live?.status ?? { kind: 'probe' }, probe: message.probe };
      void this.refresh();
    } else if (message.type === 'steps') {
      const epochs = readSettings(uri).epochs;
      for (const record of message.steps) {
        const norms: Record<string, number> = {};
        for (const [id, stats] of Object.entries(record.layers)) if (stats.kernel) norms[id] = stats.kernel.norm;
        this.pending.push({ step: record.step, epoch: record.epoch, loss: record.loss, norms });
      }
      const last = message.steps[message.steps.length - 1];
      if (last && this.live) this.live = { ...this.live, status: { kind: 'training', epoch: last.epoch + 1, epochs, step: last.step + 1, totalSteps: this.totalSteps } };
      this.flushSoon();
    } else if (message.type === 'first-initialization') {
      // The controller stored the first verdict before this event: the card says it while the others run.
      this.flushNow();
      const first = this.services.store.get(uri, model);
      if (first?.analysis.firstOf && this.live) {
        this.live = { ...this.live, status: { kind: 'confirming', firstVerdict: measuredHeadline(first.analysis, first.summary).words, planned: message.planned } };
        void this.refresh();
      }
    } else if (message.type === 'cancelled') {
      this.live = { status: { kind: 'cancelled' } };
      this.flushNow();
      void this.refresh();
    } else if (message.type === 'error') {
      this.live = { status: { kind: 'error', message: message.message } };
      void this.refresh();
    } else if (message.type === 'done') {
      this.flushNow();
      this.live = undefined;
      // The store's change event follows with the verdicts.
    }
  }

  /** Batches step updates: at most one post per FLUSH_MS, however fast the worker reports. */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushNow(), FLUSH_MS);
  }

  private flushNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pending.length) return;
    this.steps.push(...this.pending);
    this.post({ type: 'steps', steps: this.pending, status: this.live?.status ?? { kind: 'done' } });
    this.pending = [];
  }

  private async onMessage(message: PanelToHost): Promise<void> {
    const target = this.target;
    switch (message.type) {
      case 'ready':
        if (message.startedAt) this.mark('page started', message.startedAt);
        if (message.fetchedAt) this.mark('script fetched', message.fetchedAt);
        this.mark('page ready');
        this.ready = true;
        // A new page (first load, or one VS Code reloaded): it has nothing yet.
        this.lastPosted = undefined;
        // What the page should show now is known (every event refreshed it): post it at once,
        // then bring it up to date (the document's latest version).
        if (this.state) this.post({ type: 'state', state: this.state });
        await this.refresh();
        return;
      case 'drawn':
        if (this.firstPicture && message.measurement !== 'none') {
          if (message.receivedAt) this.mark('state in page', message.receivedAt);
          if (message.drawnAt) this.mark('drawn in page', message.drawnAt);
          this.mark('drawn message at host');
          // The page's clock is this machine's: the picture was on screen at `drawnAt`.
          const drawn = (message.drawnAt ?? Date.now()) - this.firstPicture.at;
          this.services.log?.info(`First picture ${drawn} ms after Analyze (${message.measurement === 'initialization' ? 'probe, at initialization' : message.measurement}); ms after Analyze: ${this.firstPicture.marks.join(', ')}.`);
          this.firstPicture = undefined;
        }
        return;
      case 'stop':
        this.services.controller.stop();
        return;
      case 'rerun':
        if (target) await vscode.commands.executeCommand('gradientLens.analyze', target.uri, target.model);
        return;
      case 'export':
        await this.exportStatistics(message.format);
        return;
      case 'savePng':
        await this.savePng(message.name, message.dataUrl);
        return;
      case 'verifyFixes':
        if (!target) return;
        this.verification = { key: keyOf(target), value: { running: true, variants: [] } };
        await this.refresh();
        await vscode.commands.executeCommand('gradientLens.verifyFixes', target.uri, target.model, message.codes);
        return;
    }
    const document = await this.document();
    const graph = this.graphOf(document);
    if (!document || !graph || !target) return;
    if (message.type === 'revealLine') {
      const at = new vscode.Position(Math.max(0, Math.min(document.lineCount - 1, message.line - 1)), 0);
      const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
      editor.selection = new vscode.Selection(at, document.lineAt(at.line).range.end);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
    if (message.type === 'revealLayer') {
      const layer = graph.layers.find((l) => l.id === message.layerId);
      if (!layer) return;
      const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
      const range = toRange(document, layer.range);
      editor.selection = new vscode.Selection(range.start, range.end);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      return;
    }
    if (message.type === 'applyFix') {
      const plan = planFix(document.getText(), document.fileName, graph, message.code as FixCode, message.layers?.length ? message.layers : undefined);
      if ('unavailable' in plan) {
        void vscode.window.showInformationMessage(`Gradient Lens: ${plan.unavailable}`);
        return;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), applyEdits(document.getText(), plan.edits));
      if (!(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showWarningMessage(`Gradient Lens: could not apply "${plan.title}".`);
        return;
      }
      // Show the edited file, on the first edited line, so the change is not hidden in a background tab.
      const first = plan.edits.reduce((a, b) => (b.range.start < a.range.start ? b : a), plan.edits[0]!);
      const editor = await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
      const at = new vscode.Position(document.positionAt(Math.min(first.range.start, document.getText().length)).line, 0);
      editor.selection = new vscode.Selection(at, at);
      editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
      this.applied = { key: keyOf(target), value: { title: plan.title, file: vscode.workspace.asRelativePath(document.uri) } };
      this.verification = undefined;
      await this.refresh();
    }
  }

  private async saveAs(name: string, extension: string, bytes: Uint8Array): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${name}.${extension}`) } : {}),
      filters: { [extension.toUpperCase()]: [extension] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, bytes);
    void vscode.window.showInformationMessage(`Gradient Lens: saved ${vscode.workspace.asRelativePath(target)}.`);
  }

  private async savePng(name: string, dataUrl: string): Promise<void> {
    const match = /^data:image\/png;base64,(.+)$/.exec(dataUrl);
    if (!match) return;
    await this.saveAs(`${this.state?.model ?? 'model'}-${name}`, 'png', Buffer.from(match[1]!, 'base64'));
  }

  /** The run's numbers: per step, the loss and every layer's kernel gradient norm; per layer, the summary. */
  private async exportStatistics(format: 'json' | 'csv'): Promise<void> {
    const state = this.state;
    if (!state) return;
    const ids = state.layers.filter((l) => l.trainable).map((l) => l.id);
    const text =
      format === 'json'
        ? `${JSON.stringify({ model: state.model, file: state.file, backend: state.backend, layers: state.layers, steps: state.steps, findings: state.findings }, null, 2)}\n`
        : `${['step', 'epoch', 'loss', ...ids].join(',')}\n${state.steps.map((s) => [s.step, s.epoch, s.loss, ...ids.map((id) => s.norms[id] ?? '')].join(',')).join('\n')}\n`;
    await this.saveAs(`${state.model}-gradients`, format, new TextEncoder().encode(text));
  }

  private html(): string {
    const webview = this.panel.webview;
    const nonce = randomUUID().replace(/-/g, '');
    const script = vscode.Uri.joinPath(this.services.extensionUri, 'dist', 'webview.js');
    const style = vscode.Uri.joinPath(this.services.extensionUri, 'media', 'panel.css');
    // Inlined (see panelHtml.ts); linked when the files cannot be read here (a virtual file system).
    const scriptText = readPageFile(script);
    const styleText = readPageFile(style);
    return panelHtml({
      nonce,
      cspSource: webview.cspSource,
      ...(scriptText !== undefined ? { script: scriptText } : { scriptUri: webview.asWebviewUri(script).toString() }),
      ...(styleText !== undefined ? { style: styleText } : { styleUri: webview.asWebviewUri(style).toString() }),
    });
  }
}

export function registerPanelSerializer(services: PanelServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel) => GradientPanel.revive(panel, services),
  });
}

/** The page's script and style sheet, read once per session (they ship with the extension). */
const pageFiles = new Map<string, string | undefined>();
function readPageFile(uri: vscode.Uri): string | undefined {
  if (!pageFiles.has(uri.fsPath)) {
    let text: string | undefined;
    try {
      text = uri.scheme === 'file' ? readFileSync(uri.fsPath, 'utf8') : undefined;
    } catch {
      text = undefined;
    }
    pageFiles.set(uri.fsPath, text);
  }
  return pageFiles.get(uri.fsPath);
}

/** A custom layer trains as a stand-in, and an inlined model's layers say where they come from. */
function layerNote(layer: LayerNode): string | undefined {
  const notes: string[] = [];
  if (layer.custom) notes.push(layer.custom.output === 'same' ? 'custom, trained as identity' : layer.custom.output === 'last' ? `custom, trained as a fixed projection to ${layer.custom.lastDim}` : 'custom, shape unknown');
  if (layer.partOf) notes.push(`from model ${layer.partOf}`);
  return notes.length ? notes.join('; ') : undefined;
}
