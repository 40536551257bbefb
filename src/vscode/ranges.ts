import * as vscode from 'vscode';
import type { SourceRange } from '../core/ir';

export function toRange(document: vscode.TextDocument, range: SourceRange): vscode.Range {
  return new vscode.Range(document.positionAt(range.start), document.positionAt(range.end));
}
