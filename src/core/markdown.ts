/**
 * User text (layer names, model names, file names, messages that quote code) put into Markdown
 * (hovers, the exported report): escaped so a layer named `[x](command:...)` or with a line break
 * renders as its own text, never as a link, a heading or a broken table.
 */

/** `text` as literal Markdown text on one line: every Markdown punctuation character escaped. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/[\\`*_{}[\]()<>#+\-.!|~"'&:]/g, (c) => `\\${c}`);
}

/** `text` as an inline code span: on one line, fenced with more backticks than it contains. */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.startsWith(' ') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A table cell: escaped text (a `|` would end the cell). */
export function tableCell(text: string): string {
  return escapeMarkdown(text);
}
