/**
 * The Gradient panel: one webview beside the editor showing the per-layer gradients of the model
 * being (or last) analysed. Singleton with createOrShow / reveal, a serializer, CSP with a nonce,
 * resources limited to media/ and dist/, and step updates batched to at most ~20 posts a second.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { mergeFindings } from '../../core/analysis/findings';
import { staticFindings } from '../../core/analysis/staticRules';
import { applyEdits } from '../../core/fixes/edits';
import { applicableFixes, planFix, type FixCode } from '../../core/fixes/index';
import type { LayerNode, ModelGraph } from '../../core/ir';
import type { HostToPanel, PanelState, PanelStep, PanelToHost, RunStatus } from '../../shared/panelProtocol';
import type { WorkerToHost } from '../../training/protocol';
import type { AnalysisController } from '../analysisController';
import type { AnalysisStore, ModelMeasurement } from '../analysisStore';
import { readSettings } from '../config';
import { Disposable } from '../lifecycle';
import type { ModelIndex } from '../modelIndex';
import { evidenceText } from '../diagnostics';
import { toRange } from '../ranges';

export const PANEL_VIEW_TYPE = 'gradientLens.panel';
const FLUSH_MS = 50;

interface Target {
  readonly uri: vscode.Uri;
  readonly model: string;
}

export interface PanelServices {
  readonly extensionUri: vscode.Uri;
  readonly index: ModelIndex;
  readonly store: AnalysisStore;
  readonly controller: AnalysisController;
}

/** Builds the panel's state from what the index and store know about one model. */
export function panelState(document: vscode.TextDocument, graph: ModelGraph, measured: ModelMeasurement | undefined, status: RunStatus, steps: readonly PanelStep[]): PanelState {
  const line = (offset: number) => document.positionAt(offset).line + 1;
  const settings = readSettings(document.uri);
  const trainable = new Set(measured?.summary.trainableLayers ?? []);
  const findings = mergeFindings(staticFindings(graph), measured?.analysis.findings ?? [], measured ? new Set([graph.name]) : new Set());
  return {
    model: graph.name,
    file: vscode.workspace.asRelativePath(document.uri),
    ...(measured ? { backend: measured.summary.backend } : {}),
    ...(graph.params !== undefined ? { params: graph.params } : {}),
    status,
    layers: graph.layers.map((layer) => {
      const stats = measured?.summary.layers[layer.id];
      const probe = measured?.summary.probe?.layers[layer.id];
      return {
        id: layer.id,
        type: layer.type,
        ...(layer.activation ? { activation: layer.activation } : {}),
        line: line(layer.range.start),
        ...(layer.params !== undefined ? { params: layer.params } : {}),
        trainable: measured ? trainable.has(layer.id) : (layer.params ?? 0) > 0,
        ...(measured?.analysis.verdicts[layer.id] ? { verdict: measured.analysis.verdicts[layer.id] } : {}),
        ...(stats || probe ? { kernelNorm: stats?.gradNorm ?? probe?.kernel?.norm ?? null, biasNorm: stats?.biasGradNorm ?? probe?.bias?.norm ?? null } : {}),
        ...(layerNote(layer) ? { note: layerNote(layer) } : {}),
      };
    }),
    steps,
    findings: findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      source: f.source,
      message: f.message,
      layers: f.layers,
      // Only fixes that apply to the file are offered; a compile-call finding sits on its own range.
      fixes: applicableFixes(document.getText(), document.fileName, graph, f),
      line: line(f.range?.start ?? graph.layers.find((l) => l.id === f.layers[0])?.range.start ?? graph.range.start),
      ...(evidenceText(f) ? { evidence: evidenceText(f)! } : {}),
    })),
    temporal: measured?.summary.probe?.temporal ?? [],
    thresholds: { vanishingRatio: settings.thresholds.vanishingRatio, explodingRatio: settings.thresholds.explodingRatio },
  };
}

export class GradientPanel extends Disposable {
  private static current: GradientPanel | undefined;
  private target: Target | undefined;
  private state: PanelState | undefined;
  private steps: PanelStep[] = [];
  private pending: PanelStep[] = [];
  private status: RunStatus = { kind: 'idle' };
  private totalSteps = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private ready = false;

  static createOrShow(services: PanelServices, target?: Target): GradientPanel {
    if (GradientPanel.current) {
      GradientPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
    } else {
      const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'Gradient Lens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, GradientPanel.options(services.extensionUri));
      GradientPanel.current = new GradientPanel(panel, services);
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
    this._register(services.store.onDidChange((uri) => {
      if (this.target && uri.toString() === this.target.uri.toString()) void this.refresh();
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
    if (changed) {
      this.steps = [];
      this.status = this.services.store.get(target.uri, target.model) ? { kind: 'done', verdict: this.services.store.get(target.uri, target.model)!.analysis.modelVerdict } : { kind: 'idle' };
    }
    void this.refresh();
  }

  /** Shows a verification's before/after numbers in the panel (the file is not touched). */
  showVerification(verification: NonNullable<PanelState['verification']>): void {
    if (this.state) {
      this.state = { ...this.state, verification };
      this.post({ type: 'state', state: this.state });
    }
  }

  private post(message: HostToPanel): void {
    if (this.ready) void this.panel.webview.postMessage(message);
  }

  private async document(): Promise<vscode.TextDocument | undefined> {
    if (!this.target) return undefined;
    try {
      return await vscode.workspace.openTextDocument(this.target.uri);
    } catch {
      return undefined;
    }
  }

  private async refresh(): Promise<void> {
    const document = await this.document();
    const graph = document && this.target ? this.services.index.get(document)?.parsed.models.find((m) => m.name === this.target!.model) : undefined;
    if (!document || !graph || !this.target) {
      this.state = undefined;
    } else {
      const measured = this.services.store.get(this.target.uri, this.target.model);
      if (measured && this.status.kind !== 'training' && this.status.kind !== 'probe') this.status = { kind: 'done', verdict: measured.analysis.modelVerdict };
      this.state = { ...panelState(document, graph, measured, this.status, this.steps), ...(this.state?.verification && this.state.model === graph.name ? { verification: this.state.verification } : {}) };
    }
    this.post({ type: 'state', state: this.state });
  }

  private onRunEvent(uri: vscode.Uri, model: string, message: WorkerToHost): void {
    if (message.type === 'started') {
      this.totalSteps = message.totalSteps;
      this.target = { uri, model };
      this.steps = [];
      this.pending = [];
      this.status = { kind: 'probe' };
      void this.refresh();
      return;
    }
    if (!this.target || this.target.uri.toString() !== uri.toString() || this.target.model !== model) return;
    if (message.type === 'steps') {
      const epochs = readSettings(uri).epochs;
      for (const record of message.steps) {
        const norms: Record<string, number> = {};
        for (const [id, stats] of Object.entries(record.layers)) if (stats.kernel) norms[id] = stats.kernel.norm;
        this.pending.push({ step: record.step, epoch: record.epoch, loss: record.loss, norms });
      }
      const last = message.steps[message.steps.length - 1];
      if (last) this.status = { kind: 'training', epoch: last.epoch + 1, epochs, step: last.step + 1, totalSteps: this.totalSteps };
      this.flushSoon();
    } else if (message.type === 'cancelled') {
      this.status = { kind: 'cancelled' };
      this.flushNow();
      void this.refresh();
    } else if (message.type === 'error') {
      this.status = { kind: 'error', message: message.message };
      void this.refresh();
    } else if (message.type === 'done') {
      this.flushNow();
      this.status = { kind: 'done', verdict: '' };
      // The store's change event follows with the verdicts.
    }
  }

  /** Batches step updates: at most one post per 50 ms, however fast the worker reports. */
  private flushSoon(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushNow(), FLUSH_MS);
  }

  private flushNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pending.length) return;
    this.steps.push(...this.pending);
    this.post({ type: 'steps', steps: this.pending, status: this.status });
    this.pending = [];
  }

  private async onMessage(message: PanelToHost): Promise<void> {
    const target = this.target;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.refresh();
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
        if (target) await vscode.commands.executeCommand('gradientLens.verifyFixes', target.uri, target.model, message.codes);
        return;
    }
    const document = await this.document();
    const graph = document && target ? this.services.index.get(document)?.parsed.models.find((m) => m.name === target.model) : undefined;
    if (!document || !graph) return;
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
      const plan = planFix(document.getText(), document.fileName, graph, message.code as FixCode, message.layers);
      if ('unavailable' in plan) {
        void vscode.window.showInformationMessage(`Gradient Lens: ${plan.unavailable}`);
        return;
      }
      const edit = new vscode.WorkspaceEdit();
      edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), applyEdits(document.getText(), plan.edits));
      await vscode.workspace.applyEdit(edit);
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
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.services.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.services.extensionUri, 'media', 'panel.css'));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${webview.cspSource} data:; style-src ${webview.cspSource} 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src ${webview.cspSource};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}" nonce="${nonce}">
<title>Gradient Lens</title>
</head>
<body>
<main id="app" aria-live="polite"><p class="empty">Run <strong>Gradient Lens: Analyze Gradients</strong> on a model to see its gradients here.</p></main>
<script type="module" nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

export function registerPanelSerializer(services: PanelServices): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel) => GradientPanel.revive(panel, services),
  });
}

/** A custom layer trains as a stand-in, and an inlined model's layers say where they come from. */
function layerNote(layer: LayerNode): string | undefined {
  const notes: string[] = [];
  if (layer.custom) notes.push(layer.custom.output === 'same' ? 'custom, trained as identity' : layer.custom.output === 'last' ? `custom, trained as a fixed projection to ${layer.custom.lastDim}` : 'custom, shape unknown');
  if (layer.partOf) notes.push(`from model ${layer.partOf}`);
  return notes.length ? notes.join('; ') : undefined;
}
