import * as vscode from 'vscode';
import { Disposable } from './lifecycle';
import type { ModelIndex } from './modelIndex';
import { toRange } from './ranges';

/** A lens over each model: its size, and the command that looks at it. */
export class ModelCodeLensProvider extends Disposable implements vscode.CodeLensProvider {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;

  constructor(
    private readonly index: ModelIndex,
    private readonly command: string,
    private readonly summary: (uri: vscode.Uri, model: string) => string | undefined = () => undefined,
  ) {
    super();
    this._register(index.onDidChange(() => this.changed.fire()));
  }

  refresh(): void {
    this.changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const entry = this.index.get(document);
    if (!entry) return [];
    return entry.parsed.models.map((model) => {
      const params = model.params !== undefined ? ` · ${model.params.toLocaleString('en-US')} params` : '';
      const result = this.summary(document.uri, model.name);
      return new vscode.CodeLens(toRange(document, model.range), {
        title: `$(pulse) Analyze gradients · ${model.layers.length} layers${params}${result ? ` · ${result}` : ''}`,
        command: this.command,
        arguments: [document.uri, model.name],
        tooltip: `Train \`${model.name}\` briefly on synthetic data and measure its per-layer gradients`,
      });
    });
  }
}
