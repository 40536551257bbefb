/**
 * Holes: values the parser could not know. Their roles and suggestions, the advice a run
 * that still has holes gives, and the `gradient-lens:` annotation that fills them.
 * Shared by the TS/JS and Python front ends (only the comment prefix differs).
 */
import type { AnnotationSite, Hole, HoleRole, ModelGraph, SourceRange } from './ir';

const RECURRENT = new Set(['simpleRNN', 'lstm', 'gru', 'rnn', 'conv1d', 'convLstm2d', 'bidirectional', 'timeDistributed']);
const IMAGE = new Set(['conv2d', 'conv2dTranspose', 'separableConv2d', 'depthwiseConv2d', 'maxPooling2d', 'averagePooling2d']);

/**
 * The role of an unknown at `key` of a `layerType` config; `index` is its position inside an
 * array value (`inputShape: [timeSteps, features]`), `length` that array's length.
 */
export function holeRole(layerType: string, key: string, index?: number, length?: number): HoleRole {
  if (key === 'inputShape' || key === 'batchInputShape' || key === 'shape' || key === 'batchShape') {
    if (index === undefined) return 'input shape';
    const offset = key.startsWith('batch') ? 1 : 0;
    const last = (length ?? 0) - 1;
    if (index === last) return 'input dim';
    if (RECURRENT.has(layerType) && index - offset === 0) return 'time steps';
    return 'input shape';
  }
  if (key === 'inputDim') return 'input dim';
  if (key === 'inputLength') return 'time steps';
  if (key === 'units') return 'units';
  if (key === 'filters') return 'filters';
  if (key === 'kernelSize') return 'kernel size';
  if (key === 'rate') return 'rate';
  if (key === 'activation') return 'activation';
  if (/Initializer$/.test(key)) return 'initializer';
  if (key === 'optimizer') return 'optimizer';
  if (key === 'loss') return 'loss';
  return 'value';
}

/**
 * A value to start from for a hole of `role` (shown prefilled, never used without the user),
 * as source text of the file's language.
 */
export function holeSuggestion(role: HoleRole, layerType: string, language: 'ts' | 'py' = 'ts'): string {
  const text = tsSuggestion(role, layerType);
  if (language === 'ts') return text;
  // Keras spells shapes as tuples and names in snake case.
  if (text.startsWith('[') && role === 'input shape') return `(${text.slice(1, -1)}${text.includes(',') ? '' : ','})`;
  if (role === 'initializer') return "'glorot_uniform'";
  if (role === 'loss') return "'mse'";
  if (role === 'condition') return 'True';
  return text;
}

function tsSuggestion(role: HoleRole, layerType: string): string {
  switch (role) {
    case 'input shape':
      if (IMAGE.has(layerType)) return '[28, 28, 1]';
      if (RECURRENT.has(layerType) || layerType === 'embedding') return '[20, 8]';
      return '[10]';
    case 'input dim': return '10';
    case 'time steps': return '20';
    case 'units': return '32';
    case 'filters': return '16';
    case 'kernel size': return '3';
    case 'rate': return '0.2';
    case 'activation': return "'relu'";
    case 'initializer': return "'glorotUniform'";
    case 'optimizer': return "'adam'";
    case 'loss': return "'meanSquaredError'";
    case 'value': return '1';
    case 'repeat count': return '3';
    case 'condition': return 'true';
    case 'layer sizes': return '[64, 32]';
  }
}

/** Merges holes met at several uses into one per name, keeping every use. */
export function mergeHoles(holes: readonly Hole[]): Hole[] {
  const byName = new Map<string, Hole>();
  for (const hole of holes) {
    const seen = byName.get(hole.name);
    if (!seen) byName.set(hole.name, hole);
    else byName.set(hole.name, { ...seen, usedBy: [...new Set([...seen.usedBy, ...hole.usedBy])] });
  }
  return [...byName.values()];
}

/** Says which holes remain and how to fill them; undefined when there are none. */
export function holeAdvice(graph: ModelGraph, language: 'ts' | 'py' = 'ts'): string | undefined {
  const holes = graph.holes ?? [];
  if (!holes.length) return undefined;
  const list = holes.map((h) => `\`${h.name}\` (${h.role}, used by ${h.usedBy.join(', ')})`).join('; ');
  const example = holes.map((h) => `${h.name}=${h.suggestion}`).join(', ');
  const comment = language === 'py' ? '#' : '//';
  const sets = holes.map((h) => `--set '${h.name}=${h.suggestion}'`).join(' ');
  return (
    `Model \`${graph.name}\` has values the parser cannot know: ${list}. ` +
    `Fill them with an annotation comment above the function that builds the model (or above the statement, at top level), \`${comment} gradient-lens: ${example}\`, ` +
    `or on the command line with ${sets} (the values shown are examples, not read from your code).`
  );
}

/** Where an annotation goes for a statement starting at `statementStart` (line start, indent, existing comment). */
export function annotationSite(text: string, statementStart: number, commentPrefix: '//' | '#'): AnnotationSite {
  const lineStart = text.lastIndexOf('\n', statementStart - 1) + 1;
  const before = text.slice(lineStart, statementStart);
  const indent = /^\s*$/.test(before) ? before : (/^\s*/.exec(before)?.[0] ?? '');
  // Walk up over the comment lines right above: an annotation among them is merged into.
  let end = lineStart - 1;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    const trimmed = line.trim();
    const isComment = commentPrefix === '#' ? trimmed.startsWith('#') : /^(\/\/|\/\*|\*)/.test(trimmed);
    if (!isComment) break;
    if (/^\s*(\/\/+|\/\*+|\*|#+)\s*gradient-lens:/.test(line)) {
      const at = start + line.indexOf(trimmed);
      return { lineStart, indent, existing: { start: at, end: at + trimmed.length } };
    }
    end = start - 1;
  }
  return { lineStart, indent };
}

export interface AnnotationEdit {
  readonly range: SourceRange;
  readonly newText: string;
}

/** The edit that writes `values` (name -> source text) into the model's annotation, merged with what is there. */
export function annotationEdit(text: string, site: AnnotationSite, values: Readonly<Record<string, string>>, commentPrefix: '//' | '#'): AnnotationEdit {
  const merged = new Map<string, string>();
  if (site.existing) {
    const comment = text.slice(site.existing.start, site.existing.end);
    const body = /gradient-lens:\s*(.*?)\s*(\*\/)?$/.exec(comment)?.[1] ?? '';
    for (const [name, value] of splitAnnotation(body)) merged.set(name, value);
  }
  for (const [name, value] of Object.entries(values)) merged.set(name, value);
  const body = [...merged].map(([name, value]) => `${name}=${value}`).join(', ');
  const line = `${commentPrefix} gradient-lens: ${body}`;
  if (site.existing) return { range: site.existing, newText: line };
  return { range: { start: site.lineStart, end: site.lineStart }, newText: `${site.indent}${line}\n` };
}

/** `a=1, shape=[28, 28, 1], kind='cnn'` -> pairs; commas inside brackets and quotes are kept. */
export function splitAnnotation(body: string): [string, string][] {
  const starts = [...body.matchAll(/([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[\d+\])*)\s*=(?!=)/g)];
  return starts.map((match, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index! : body.length;
    return [match[1]!, body.slice(match.index! + match[0].length, end).trim().replace(/,\s*$/, '')];
  });
}
