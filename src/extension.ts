/**
 * Composition root: creates the shared services and registers each feature. Nothing else.
 */
import * as vscode from 'vscode';
import { FixProvider } from './vscode/codeActions';
import { ModelCodeLensProvider } from './vscode/codeLens';
import { DiagnosticsFeature } from './vscode/diagnostics';
import { ModelIndex } from './vscode/modelIndex';
import { registerShowModelsCommand, SHOW_MODELS_COMMAND } from './vscode/showModelsCommand';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'typescript' },
  { language: 'javascript' },
  { language: 'typescriptreact' },
  { language: 'javascriptreact' },
];

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Gradient Lens', { log: true });
  context.subscriptions.push(log);
  try {
    const index = new ModelIndex(log);
    const codeLens = new ModelCodeLensProvider(index, SHOW_MODELS_COMMAND);
    context.subscriptions.push(
      index,
      new DiagnosticsFeature(index),
      vscode.languages.registerCodeActionsProvider(SELECTOR, new FixProvider(index), FixProvider.metadata),
      codeLens,
      vscode.languages.registerCodeLensProvider(SELECTOR, codeLens),
      registerShowModelsCommand(log),
    );
    log.info('Gradient Lens is active.');
  } catch (error) {
    // Show activation failures to the user instead of failing silently.
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Gradient Lens failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
