/**
 * Call sites of a file's builder functions in the rest of the workspace: `createModel(13)` in
 * `train.ts` binds `createModel` of `model.ts`, which is then analysed once per distinct
 * argument list. Scanned when a tfjs file opens and after any TS/JS file is saved.
 */
import * as vscode from 'vscode';
import type { RefusedFile } from '../core/nodeFiles';
import { readWorkspaceFile } from './workspaceFiles';
import { callSitesFromImporters, type CallSites } from '../core/parse/callSites';
import { Disposable } from './lifecycle';

const SOURCE_GLOB = '**/*.{ts,tsx,js,jsx,mjs,cjs}';
const MAX_FILES = 500;
const RESCAN_DELAY_MS = 1000;

export class WorkspaceCallSites extends Disposable {
  private readonly sites = new Map<string, CallSites>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires with a file whose call sites elsewhere changed. */
  readonly onDidChange = this.changed.event;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly isModelFile: (document: vscode.TextDocument) => boolean,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((document) => this.scanSoon([document])));
    this._register(vscode.workspace.onDidSaveTextDocument(() => this.scanSoon(vscode.workspace.textDocuments)));
    this._register({ dispose: () => clearTimeout(this.timer) });
    this.scanSoon(vscode.workspace.textDocuments);
  }

  /** Argument lists by function name for `uri`'s builders, from other files. */
  get(uri: vscode.Uri): CallSites | undefined {
    return this.sites.get(uri.toString());
  }

  private scanSoon(documents: readonly vscode.TextDocument[]): void {
    clearTimeout(this.timer);
    const targets = documents.filter((d) => d.uri.scheme === 'file' && /\.(ts|tsx|js|jsx|mjs|cjs)$/.test(d.fileName));
    this.timer = setTimeout(() => void this.scan(targets.filter((d) => this.isModelFile(d))), RESCAN_DELAY_MS);
  }

  private async scan(documents: readonly vscode.TextDocument[]): Promise<void> {
    if (!documents.length || !vscode.workspace.workspaceFolders?.length) return;
    try {
      const files = await vscode.workspace.findFiles(SOURCE_GLOB, '**/node_modules/**', MAX_FILES);
      for (const document of documents) {
        const found = this.scanFor(document, files);
        const key = document.uri.toString();
        if (JSON.stringify(found) === JSON.stringify(this.sites.get(key) ?? {})) continue;
        if (Object.keys(found).length) this.sites.set(key, found);
        else this.sites.delete(key);
        this.changed.fire(document.uri);
      }
    } catch (error) {
      this.log.error('Could not scan the workspace for call sites', error);
    }
  }

  private scanFor(document: vscode.TextDocument, files: readonly vscode.Uri[]): CallSites {
    return callSitesFromImporters(document.uri.fsPath, files.map((uri) => uri.fsPath), (path) => this.read(path));
  }

  /** The editor's text when the file is open (unsaved edits count), else the disk's. */
  private read(path: string): string | undefined | RefusedFile {
    return readWorkspaceFile(path);
  }
}
