/**
 * Composition root: creates the shared services and registers each feature. Nothing else.
 */
import * as vscode from 'vscode';
import { AnalysisController } from './vscode/analysisController';
import { AnalysisStore } from './vscode/analysisStore';
import { FixProvider } from './vscode/codeActions';
import { HoleValues } from './vscode/holeValues';
import { WorkspaceCallSites } from './vscode/workspaceCallSites';
import { ModelCodeLensProvider } from './vscode/codeLens';
import { COMMANDS, registerCommands } from './vscode/commands';
import { readSettings } from './vscode/config';
import { DiagnosticsFeature } from './vscode/diagnostics';
import { LayerHoverProvider } from './vscode/hover';
import { ModelIndex } from './vscode/modelIndex';
import { GradientPanel, registerPanelSerializer } from './vscode/panel/gradientPanel';
import { GradientStatusBar } from './vscode/statusBar';
import { headline } from './shared/headline';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript' },
  { language: 'javascript' },
  { language: 'typescriptreact' },
  { language: 'javascriptreact' },
  { language: 'python' },
];

export function activate(context: vscode.ExtensionContext): void {
  const started = Date.now();
  const log = vscode.window.createOutputChannel('Gradient Lens', { log: true });
  context.subscriptions.push(log);
  try {
    const holeValues = new HoleValues(context.workspaceState);
    const callSites = new WorkspaceCallSites((document) => ModelIndex.isModelDocument(document), log);
    const index = new ModelIndex(log, (uri) => holeValues.parseOptions(uri), (uri) => callSites.get(uri));
    const reparse = (uri: vscode.Uri): void => {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (document) index.refresh(document);
    };
    const store = new AnalysisStore(index);
    const controller = new AnalysisController(index, store, log);
    const codeLens = new ModelCodeLensProvider(index, COMMANDS.analyze, (uri, model) => {
      const latest = store.latest(uri, model);
      if (!latest) return undefined;
      return latest.stale ? 'results predate your edit' : headline(latest.measurement.analysis, latest.measurement.summary).short;
    });
    let warmed = false;
    const panelServices = { extensionUri: context.extensionUri, index, store, controller, log };
    const updateContext = (editor: vscode.TextEditor | undefined): void => {
      const hasModels = !!editor && (index.peek(editor.document)?.parsed.models.length ?? 0) > 0;
      void vscode.commands.executeCommand('setContext', 'gradientLens.hasModels', hasModels);
    };
    context.subscriptions.push(
      holeValues,
      holeValues.onDidChange(reparse),
      callSites,
      callSites.onDidChange(reparse),
      index,
      store,
      controller,
      new GradientStatusBar(index, store, controller, COMMANDS.showPanel),
      new DiagnosticsFeature(index, store),
      vscode.languages.registerCodeActionsProvider(SELECTOR, new FixProvider(index, store, holeValues), FixProvider.metadata),
      codeLens,
      store.onDidChange(() => codeLens.refresh()),
      vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
      vscode.languages.registerHoverProvider(SELECTOR, new LayerHoverProvider(index, store)),
      ...registerCommands({
        index,
        store,
        controller,
        log,
        holeValues,
        showPanel: (uri, model, analyzing) => GradientPanel.createOrShow(panelServices, uri && model ? { uri, model } : undefined, analyzing),
        showVerification: (uri, model, verification) => void GradientPanel.createOrShow(panelServices, { uri, model }).showVerification(verification),
      }),
      registerPanelSerializer(panelServices),
      vscode.window.onDidChangeActiveTextEditor(updateContext),
      index.onDidChange(() => updateContext(vscode.window.activeTextEditor)),
      // The worker starts in the background once a file with a model is open: Analyze then
      // shows its first picture without waiting for thread start and tfjs load.
      index.onDidChange((entry) => {
        if (entry.parsed.models.length && !warmed) {
          warmed = true;
          setTimeout(() => controller.warm(), 1000);
        }
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (readSettings(document.uri).analyzeOnSave && !controller.running && index.get(document)?.parsed.models.length) {
          void vscode.commands.executeCommand(COMMANDS.analyzeAll, document.uri);
        }
      }),
    );
    updateContext(vscode.window.activeTextEditor);
    log.info(`Gradient Lens is active (${Date.now() - started} ms).`);
  } catch (error) {
    // Show activation failures to the user instead of failing silently.
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Gradient Lens failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
