import type { SourceRange } from '../ir';

/** Replace `range` of the text with `newText` (an insertion when the range is empty). */
export interface TextEdit {
  readonly range: SourceRange;
  readonly newText: string;
}

/** Applies non-overlapping edits (any order); identical duplicates are applied once. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const unique = new Map<string, TextEdit>();
  for (const edit of edits) unique.set(`${edit.range.start}:${edit.range.end}:${edit.newText}`, edit);
  const sorted = [...unique.values()].sort((a, b) => b.range.start - a.range.start || b.range.end - a.range.end);
  // Pieces from the end backwards, joined once: linear in the text (one slice per edit).
  const pieces: string[] = [];
  let limit = text.length;
  for (const edit of sorted) {
    if (edit.range.end > limit) throw new Error(`overlapping edits at ${edit.range.start}`);
    pieces.push(text.slice(edit.range.end, limit), edit.newText);
    limit = edit.range.start;
  }
  pieces.push(text.slice(0, limit));
  return pieces.reverse().join('');
}
