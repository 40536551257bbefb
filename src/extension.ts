/**
 * Composition root: creates the shared services and registers each feature. Nothing else.
 */
import * as vscode from 'vscode';
import { registerShowModelsCommand } from './vscode/showModelsCommand';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Gradient Lens', { log: true });
  context.subscriptions.push(log);
  try {
    context.subscriptions.push(registerShowModelsCommand(log));
  } catch (error) {
    // Show activation failures to the user instead of failing silently.
    log.error('Activation failed', error);
    void vscode.window.showErrorMessage(`Gradient Lens failed to start: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
