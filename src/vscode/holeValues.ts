/**
 * Values the user entered for holes (values the parser cannot know), remembered per model (its
 * builder function, or the file for top-level code) in workspace state, and the prompt that asks
 * for them. They reach the parser as `set` / `setFor` values, like the CLI's `--set`; an
 * annotation in the code wins over them.
 */
import * as vscode from 'vscode';
import { annotationEdit } from '../core/holes';
import type { Hole, ModelGraph } from '../core/ir';
import { commentPrefix, isPythonFile } from '../core/languages';
import { fillValueProblem } from '../core/frontend/fillValues';
import { parseSource } from '../core/source';
import { Disposable } from './lifecycle';
import { toRange } from './ranges';

const STATE_KEY = 'gradientLens.holeValues';
/** Values of models that no builder function makes (top-level code): they apply file-wide. */
const FILE_WIDE = '*';

/** By file, then by builder function (or FILE_WIDE), then `name -> expression text`. */
type Stored = Record<string, Record<string, Record<string, string>>>;

/** The key a model's remembered values are kept under: its builder function, else the file. */
export function modelKey(model: Pick<ModelGraph, 'builder'>): string {
  return model.builder ?? FILE_WIDE;
}

export class HoleValues extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires with the file whose remembered values changed. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly state: vscode.Memento) {
    super();
  }

  private all(): Stored {
    return this.state.get<Stored>(STATE_KEY, {});
  }

  /** Remembered `name -> expression text` of one model (by `modelKey`) of a file. */
  get(uri: vscode.Uri, key: string): Readonly<Record<string, string>> {
    return this.all()[uri.toString()]?.[key] ?? {};
  }

  /** Parse options that apply a file's remembered values: file-wide ones and per builder function. */
  parseOptions(uri: vscode.Uri): { set: Record<string, string>; setFor: Record<string, Record<string, string>> } {
    const { [FILE_WIDE]: set = {}, ...setFor } = this.all()[uri.toString()] ?? {};
    return { set, setFor };
  }

  async set(uri: vscode.Uri, key: string, values: Readonly<Record<string, string>>): Promise<void> {
    const all = { ...this.all() };
    const file = { ...(all[uri.toString()] ?? {}) };
    file[key] = { ...(file[key] ?? {}), ...values };
    all[uri.toString()] = file;
    await this.state.update(STATE_KEY, all);
    this.changed.fire(uri);
  }

  async forget(uri: vscode.Uri, key: string, names: readonly string[]): Promise<void> {
    const all = { ...this.all() };
    const file = { ...(all[uri.toString()] ?? {}) };
    const kept = Object.fromEntries(Object.entries(file[key] ?? {}).filter(([name]) => !names.includes(name)));
    if (Object.keys(kept).length) file[key] = kept;
    else delete file[key];
    if (Object.keys(file).length) all[uri.toString()] = file;
    else delete all[uri.toString()];
    await this.state.update(STATE_KEY, all);
    this.changed.fire(uri);
  }
}

/**
 * Asks for each hole of `model` in turn, prefilled with the remembered value or the role's
 * example. Undefined when the user cancels.
 */
export async function promptForHoles(model: ModelGraph, remembered: Readonly<Record<string, string>>, fileName: string): Promise<Record<string, string> | undefined> {
  const language = isPythonFile(fileName) ? 'py' : 'ts';
  const holes = model.holes ?? [];
  const values: Record<string, string> = {};
  for (const [i, hole] of holes.entries()) {
    const value = await vscode.window.showInputBox({
      title: `Gradient Lens: ${model.name} needs a value (${i + 1}/${holes.length})`,
      prompt: `\`${hole.name}\`: ${hole.role}, used by ${hole.usedBy.join(', ')}. The code does not say; the value shown is an example. It is remembered for this file.`,
      value: remembered[hole.name] ?? hole.suggestion,
      ignoreFocusOut: true,
      // The CLI's --set check: a value that is not one expression is refused here, not reported on line 1.
      validateInput: (text) => (text.trim() ? fillValueProblem(hole.name, text, language) : 'Enter a value, e.g. 13, [28, 28, 1] or "cnn".'),
    });
    if (value === undefined) return undefined;
    values[hole.name] = value.trim();
  }
  return values;
}

/** The holes `model` has before remembered values fill them (a parse of the bare text), and its key. */
export function unfilledHoles(document: vscode.TextDocument, modelName: string): { holes: readonly Hole[]; key: string } {
  const model = parseSource(document.getText(), document.fileName).models.find((m) => m.name === modelName);
  return { holes: model?.holes ?? [], key: model ? modelKey(model) : FILE_WIDE };
}

/**
 * Writes the remembered values of `modelName`'s holes into its annotation comment (merged with
 * one already there) and forgets them, since the code now holds them. False if nothing to save.
 */
export async function saveAsAnnotation(values: HoleValues, document: vscode.TextDocument, modelName: string): Promise<boolean> {
  const bare = parseSource(document.getText(), document.fileName).models.find((m) => m.name === modelName);
  if (!bare) return false;
  const remembered = values.get(document.uri, modelKey(bare));
  const names = (bare?.holes ?? []).map((h) => h.name).filter((name) => name in remembered);
  if (!bare.annotation || names.length === 0) return false;
  const edit = annotationEdit(document.getText(), bare.annotation, Object.fromEntries(names.map((n) => [n, remembered[n]!])), commentPrefix(document.fileName));
  const workspaceEdit = new vscode.WorkspaceEdit();
  workspaceEdit.replace(document.uri, toRange(document, edit.range), edit.newText);
  if (!(await vscode.workspace.applyEdit(workspaceEdit))) return false;
  await values.forget(document.uri, modelKey(bare), names);
  return true;
}
