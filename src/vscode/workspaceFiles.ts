import * as vscode from 'vscode';
import { realpathSync } from 'node:fs';
import { isInside, readBoundedFile, RefusedFile } from '../core/nodeFiles';

/** The workspace folders on disk: the boundary of every file the parser reads besides the open one. */
export function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/**
 * Reads an imported file for the parser: the editor's text when it is open (unsaved edits count),
 * else the disk's, in both cases only inside the workspace folders (real paths, so links cannot
 * lead out), regular files only, up to the import size limit (see nodeFiles.ts).
 */
export function readWorkspaceFile(path: string, request?: { readonly prefix?: boolean }): string | undefined | RefusedFile {
  const roots = workspaceRoots();
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === path);
  if (open) {
    let real = path;
    try {
      real = realpathSync(path);
    } catch {
      // an unsaved file keeps its path
    }
    const realRoots = roots.map((root) => {
      try {
        return realpathSync(root);
      } catch {
        return root;
      }
    });
    return realRoots.some((root) => isInside(real, root)) ? open.getText() : new RefusedFile(`'${path}' is outside the workspace; it is not read`);
  }
  return readBoundedFile(path, { roots, ...(request?.prefix ? { prefix: true } : {}) });
}
