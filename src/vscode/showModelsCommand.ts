import * as vscode from 'vscode';
import { parseSource } from '../core/source';
import { modelLibrary } from '../core/languages';
import { fileReport, formatReport } from '../core/report';

export const SHOW_MODELS_COMMAND = 'gradientLens.showModels';

/** Prints the models of the active file, layer by layer, to the Gradient Lens log. */
export function registerShowModelsCommand(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(SHOW_MODELS_COMMAND, async (uri?: vscode.Uri) => {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
    if (!document) {
      void vscode.window.showInformationMessage('Gradient Lens: open a TypeScript, JavaScript or Python file that builds a tfjs or Keras model first.');
      return;
    }
    const text = document.getText();
    const parsed = parseSource(text, document.fileName);
    const report = fileReport(vscode.workspace.asRelativePath(document.uri), text, parsed);
    log.info(`\n${formatReport({ files: [report] })}`);
    log.show(true);
    if (parsed.models.length === 0) {
      void vscode.window.showInformationMessage(`Gradient Lens: no ${modelLibrary(document.fileName)} model found in this file.`);
    }
  });
}
