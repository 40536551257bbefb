import * as vscode from 'vscode';
import type { ParseResult } from '../core/ir';
import { readSource, type SourceAnalysis } from '../core/pipeline/index';
import type { RefusedFile } from '../core/nodeFiles';
import { readWorkspaceFile } from './workspaceFiles';
import type { CallSites } from '../core/parse/callSites';
import type { ParseOptions } from '../core/source';

/**
 * The parser runs on the extension host's thread, bounded: at most this long evaluating one file
 * (then a problem at the statement reached; the models found so far are kept), besides the size
 * and depth limits of core/limits.ts. Typing re-parses after DEBOUNCE_MS, so 1 s is the worst stall.
 */
const EDITOR_PARSE_MS = 1_000;
/** Characters of a document parsed in the editor: building the bounded tree of a 3 MB file took 0.8 s CPU here (the plain TS parser 0.65 s). */
const EDITOR_MAX_CHARS = 3_000_000;
import { Disposable } from './lifecycle';

export interface DocumentModels {
  readonly uri: vscode.Uri;
  readonly version: number;
  /** The pipeline's reading of the document: models, predictions, the graphs to measure. */
  readonly source: SourceAnalysis;
  /** `source.parsed`: models with ranges, and parse problems. */
  readonly parsed: ParseResult;
}

const LANGUAGES = new Set(['typescript', 'javascript', 'typescriptreact', 'javascriptreact', 'python']);
/** A file is worth parsing only if it mentions tfjs (or Keras); keeps every other file free. */
const MENTIONS_TFJS = /@tensorflow\/tfjs|\btf\.(sequential|model|layers)\b|\bsequential\(|layers\.\w+\(/;
const MENTIONS_KERAS = /\bkeras\b/;
const DEBOUNCE_MS = 300;

/**
 * The parsed models of every open tfjs document, re-parsed at most once per 300 ms per
 * document while it is edited. Features read from here and listen to `onDidChange`.
 */
export class ModelIndex extends Disposable {
  private readonly entries = new Map<string, DocumentModels>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = this._register(new vscode.EventEmitter<DocumentModels>());
  private readonly removed = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changed.event;
  readonly onDidRemove = this.removed.event;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** Values the user gave for holes in a file (remembered prompt answers), passed as `set`. */
    private readonly holeValues: (uri: vscode.Uri) => Pick<ParseOptions, 'set' | 'setFor'> = () => ({}),
    /** Argument lists of a file's builder functions found in other files of the workspace. */
    private readonly callSites: (uri: vscode.Uri) => CallSites | undefined = () => undefined,
  ) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.refresh(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)));
    // Parse what is already open after activation returns: activation stays fast, and the
    // TypeScript parser loads only when a tfjs file is actually there.
    const initial = setTimeout(() => {
      for (const document of vscode.workspace.textDocuments) this.refresh(document);
    }, 0);
    this._register({ dispose: () => clearTimeout(initial) });
  }

  /** Whether a document is one the index parses (its language, and it mentions tfjs or Keras). */
  static isModelDocument(document: vscode.TextDocument): boolean {
    return LANGUAGES.has(document.languageId) && (document.languageId === 'python' ? MENTIONS_KERAS : MENTIONS_TFJS).test(document.getText());
  }

  /** The cached models of a document, without parsing it. */
  peek(document: vscode.TextDocument): DocumentModels | undefined {
    return this.entries.get(document.uri.toString());
  }

  get(document: vscode.TextDocument): DocumentModels | undefined {
    const entry = this.entries.get(document.uri.toString());
    if (entry && entry.version === document.version) return entry;
    return this.refresh(document);
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.refresh(document);
    }, DEBOUNCE_MS));
  }

  /** Parses now. Never throws: a parser bug is logged and the document is left alone. */
  refresh(document: vscode.TextDocument): DocumentModels | undefined {
    if (!LANGUAGES.has(document.languageId) || document.uri.scheme === 'output') return undefined;
    const text = document.getText();
    const key = document.uri.toString();
    if (!(document.languageId === 'python' ? MENTIONS_KERAS : MENTIONS_TFJS).test(text)) {
      if (this.entries.delete(key)) this.removed.fire(document.uri);
      return undefined;
    }
    try {
      const callSites = this.callSites(document.uri);
      // A huge file (a bundle, generated code) is not parsed on this thread at all: said once.
      const options: ParseOptions = { readFile: (path, request) => this.readFile(path, request), ...this.holeValues(document.uri), ...(callSites ? { callSites } : {}), timeMs: EDITOR_PARSE_MS };
      const source: SourceAnalysis = text.length > EDITOR_MAX_CHARS
        ? { file: document.fileName, text, options, entries: [], parsed: { models: [], problems: [{ message: `Gradient Lens does not read files over ${EDITOR_MAX_CHARS / 1e6} MB in the editor (this one is ${(text.length / 1e6).toFixed(1)} MB); the CLI reads them.`, range: { start: 0, end: 0 }, severity: 'info' as const }] } }
        : readSource(text, document.fileName, options);
      const entry: DocumentModels = { uri: document.uri, version: document.version, source, parsed: source.parsed };
      this.entries.set(key, entry);
      this.changed.fire(entry);
      return entry;
    } catch (error) {
      this.log.error(`Could not read models of ${document.uri.fsPath}`, error);
      return undefined;
    }
  }

  /** Imported files: the editor's text when open (unsaved edits count), else the disk's. */
  private readFile(path: string, request?: { readonly prefix?: boolean }): string | undefined | RefusedFile {
    return readWorkspaceFile(path, request);
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    if (this.entries.delete(key)) this.removed.fire(uri);
  }

  override dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    super.dispose();
  }
}
