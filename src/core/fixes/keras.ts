/**
 * Fixes for Keras models in Python files: the same fix codes as for tfjs, written as Python
 * edits in the file's style (keyword arguments, its quotes, its spelling of the layers module,
 * import lines that gain the new names). Pure text edits planned from the model graph's ranges.
 */
import type { LayerNode, ModelGraph, SourceRange } from '../ir';
import { sameShape } from './addResidual';
import type { TextEdit } from './edits';
import type { FixCode, FixPlan } from './codes';

/** tfjs config key -> Keras keyword argument. */
const KEYWORD: Readonly<Record<string, string>> = { activation: 'activation', kernelInitializer: 'kernel_initializer' };
const OPTIMIZER_CLASSES: Readonly<Record<string, string>> = {
  sgd: 'SGD', adam: 'Adam', rmsprop: 'RMSprop', adagrad: 'Adagrad', adadelta: 'Adadelta', adamax: 'Adamax', nadam: 'Nadam',
};

export interface KerasFixContext {
  readonly text: string;
  readonly graph: ModelGraph;
  /** The distinct layer calls the fix edits (loop iterations share a call). */
  readonly targets: readonly LayerNode[];
  readonly successors: (layer: LayerNode) => LayerNode[];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The quote the file uses for strings in this call (default: single). */
export function quoteIn(text: string, range: SourceRange): string {
  const match = /['"]/.exec(text.slice(range.start, range.end));
  return match ? match[0] : /"/.test(text) && !/'/.test(text) ? '"' : "'";
}

/** `layers.Dense` -> { prefix: 'layers.', name: 'Dense' }: the spelling of the layer's class. */
export function calleeOf(text: string, layer: LayerNode): { prefix: string; name: string; range: SourceRange } | undefined {
  if (!layer.configRange) return undefined;
  const callee = text.slice(layer.range.start, layer.configRange.start).trim();
  const match = /^((?:[A-Za-z_]\w*\.)*)([A-Za-z_]\w*)$/.exec(callee);
  if (!match) return undefined;
  const nameStart = layer.range.start + match[1]!.length;
  return { prefix: match[1]!, name: match[2]!, range: { start: nameStart, end: nameStart + match[2]!.length } };
}

/** Line starts of the last text asked about: fixes ask many times about one file. */
let lineStarts: { text: string; starts: number[] } | undefined;

export function lineStart(text: string, offset: number): number {
  if (lineStarts?.text !== text) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    lineStarts = { text, starts };
  }
  const starts = lineStarts.starts;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return starts[low]!;
}

export function indentAt(text: string, offset: number): string {
  const start = lineStart(text, offset);
  let end = start;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return text.slice(start, end);
}

/** `/,\s*$/.exec(text.slice(0, offset))` without copying the text: the comma and whitespace before `offset`. */
function commaBefore(text: string, offset: number): string | undefined {
  let i = offset;
  while (i > 0 && /\s/.test(text[i - 1]!)) i--;
  return i > 0 && text[i - 1] === ',' ? text.slice(i - 1, offset) : undefined;
}

/** `/\n\s*$/.test(text.slice(0, offset))`: only whitespace with a line break before `offset`. */
function lineBreakBefore(text: string, offset: number): boolean {
  for (let i = offset - 1; i >= 0 && /\s/.test(text[i]!); i--) if (text[i] === '\n') return true;
  return false;
}

/** Offset just after the bracket matching the one at `open` (Python strings skipped). */
export function closingBracket(text: string, open: number): number | undefined {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      i = end;
    } else if (c === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (pairs[c]) stack.push(pairs[c]!);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (!stack.length) return i + 1;
    }
  }
  return undefined;
}

/** Adds `name=value` to the argument list `(...)` at `list`, after its last argument, in its layout. */
function addKeyword(text: string, list: SourceRange, keyword: string, value: string): TextEdit {
  const inner = text.slice(list.start + 1, list.end - 1);
  if (!inner.trim()) return { range: { start: list.start + 1, end: list.end - 1 }, newText: `${keyword}=${value}` };
  let last = list.end - 2;
  while (last > list.start && /\s/.test(text[last]!)) last--;
  if (text[last] === ',') {
    // A trailing comma: one argument per line, so the new one gets a line of its own.
    const multiline = text.slice(last, list.end - 1).includes('\n');
    return { range: { start: last + 1, end: last + 1 }, newText: multiline ? `\n${indentAt(text, last)}${keyword}=${value},` : ` ${keyword}=${value},` };
  }
  return { range: { start: last + 1, end: last + 1 }, newText: `, ${keyword}=${value}` };
}

/** Sets keyword `key` (tfjs name) of a layer call: replaces its value, or adds the keyword. */
export function setKeyword(text: string, layer: LayerNode, key: string, value: string): TextEdit | undefined {
  const written = layer.configRanges[key];
  if (written) return { range: written.value, newText: value };
  if (!layer.configRange) return undefined;
  return addKeyword(text, layer.configRange, KEYWORD[key] ?? key, value);
}

/** Removes keyword `key` of a layer call with the comma that separates it. */
export function removeKeyword(text: string, layer: LayerNode, key: string): TextEdit | undefined {
  const written = layer.configRanges[key];
  if (!written) return undefined;
  const after = /^\s*,[ \t]*/.exec(text.slice(written.property.end));
  const comma = commaBefore(text, written.property.start);
  const before = comma === undefined ? null : [comma];
  // Last on its line (`a=1, b=2,\n    c=3`): take the comma before it, keep the line's own.
  const endsLine = after && text[written.property.end + after[0].length] === '\n';
  if (after && !(endsLine && before && !before[0].includes('\n'))) {
    return { range: { start: written.property.start, end: written.property.end + after[0].length }, newText: '' };
  }
  return { range: { start: before ? written.property.start - before[0].length : written.property.start, end: written.property.end }, newText: '' };
}

/**
 * `from tensorflow.keras.layers import Dense` gains `wanted` names when the file uses bare class
 * names. Undefined when no edit is needed (already imported, or a star import).
 */
export function importEdit(text: string, bareName: string, wanted: string | readonly string[]): TextEdit | undefined {
  const imports = [...text.matchAll(/^from[ \t]+([\w.]+)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)/gm)];
  const names = (list: string): string[] => list.replace(/[()]/g, '').split(',').map((n) => n.trim().split(/\s+as\s+/)[0]!).filter(Boolean);
  const source = imports.find((m) => names(m[2]!).includes(bareName));
  if (!source || source[2]!.trim() === '*') return undefined;
  const missing = (typeof wanted === 'string' ? [wanted] : wanted).filter((name) => !imports.some((m) => names(m[2]!).includes(name) || m[2]!.trim() === '*'));
  if (!missing.length) return undefined;
  const list = source[2]!;
  const listStart = source.index! + source[0].length - list.length;
  if (list.startsWith('(')) {
    const close = listStart + list.lastIndexOf(')');
    let last = close - 1;
    while (/\s/.test(text[last]!)) last--;
    const multiline = text.slice(listStart, close).includes('\n');
    const sep = text[last] === ',' ? '' : ',';
    const indent = indentAt(text, last);
    return { range: { start: last + 1, end: last + 1 }, newText: multiline ? `${sep}${missing.map((n) => `\n${indent}${n},`).join('')}`.replace(/,$/, sep ? '' : ',') : `${sep} ${missing.join(', ')}` };
  }
  const end = listStart + list.trimEnd().length;
  return { range: { start: end, end }, newText: `, ${missing.join(', ')}` };
}

/** A new layer class spelled like `layer`'s (`layers.X()`, `keras.layers.X()`, or bare `X()` plus its import). */
export function spelledLike(text: string, layer: LayerNode, className: string, args = ''): { call: string; imports: TextEdit[] } | undefined {
  const callee = calleeOf(text, layer);
  if (!callee) return undefined;
  if (callee.prefix) return { call: `${callee.prefix}${className}(${args})`, imports: [] };
  const edit = importEdit(text, callee.name, className);
  return { call: `${className}(${args})`, imports: edit ? [edit] : [] };
}

/**
 * Inserts `newLayer` after `layer`, where the code puts layers: after a `model.add(...)`
 * statement, as the next element of a `[...]` list, or as `x = New()(x)` after `x = Layer(...)(x)`.
 */
export function insertAfter(text: string, layer: LayerNode, newLayer: string): TextEdit | readonly TextEdit[] | { unavailable: string } {
  const before = text.slice(lineStart(text, layer.range.start), layer.range.start);
  const rest = text.slice(layer.range.end);
  const attribute = /^\s*self\.(\w+)\s*=\s*$/.exec(before);
  if (attribute && !/^\s*\(/.test(rest)) return insertAttribute(text, layer, attribute[1]!, newLayer);
  const add = /(\w[\w.]*)\.add\(\s*$/.exec(before);
  if (add) {
    const close = /^\s*\)/.exec(rest);
    if (!close) return { unavailable: `\`${layer.id}\` is added with more than the layer in \`${add[1]}.add(...)\`.` };
    const end = layer.range.end + close[0].length;
    return { range: { start: end, end }, newText: `\n${indentAt(text, layer.range.start)}${add[1]}.add(${newLayer})` };
  }
  const applied = /^(\s*)\(/.exec(rest);
  const assigned = /^\s*(\w+)\s*=\s*$/.exec(before);
  if (assigned && !applied) {
    // `hidden = Dense(...)` then `net.add(hidden)`: insert after that add statement.
    const use = new RegExp(`^([ \\t]*)(\\w[\\w.]*)\\.add\\(\\s*${assigned[1]}\\s*\\)`, 'm').exec(rest);
    if (use) {
      const end = layer.range.end + use.index + use[0].length;
      return { range: { start: end, end }, newText: `\n${use[1]}${use[2]}.add(${newLayer})` };
    }
  }
  if (applied && assigned) {
    const end = closingBracket(text, layer.range.end + applied[1]!.length);
    if (end === undefined) return { unavailable: `Could not find the end of \`${layer.id}\`'s call.` };
    const variable = assigned[1]!;
    return { range: { start: end, end }, newText: `\n${indentAt(text, layer.range.start)}${variable} = ${newLayer}(${variable})` };
  }
  const next = /^\s*([,\]])/.exec(rest);
  if (next) {
    const multiline = lineBreakBefore(text, layer.range.start);
    const indent = indentAt(text, layer.range.start);
    if (next[1] === ',') {
      const comma = layer.range.end + next[0].length;
      return { range: { start: comma, end: comma }, newText: multiline ? `\n${indent}${newLayer},` : ` ${newLayer},` };
    }
    return { range: { start: layer.range.end, end: layer.range.end }, newText: multiline ? `,\n${indent}${newLayer}` : `, ${newLayer}` };
  }
  if (/^\s+for\b/.test(rest)) return { unavailable: `\`${layer.id}\` is made by a list comprehension; write it as a loop to insert a layer after it.` };
  return { unavailable: `\`${layer.id}\` is not added with \`model.add\`, a \`[...]\` list or a call on a tensor, so a layer cannot be inserted after it.` };
}

/**
 * A subclassed model's layer, made in `__init__` as `self.d1 = Dense(...)` and applied once in
 * `call` as `x = self.d1(x)`: the new layer is made on the next line of `__init__`
 * (`self.d1_bn = BatchNormalization()`) and applied after that use (`x = self.d1_bn(x)`).
 */
function insertAttribute(text: string, layer: LayerNode, attribute: string, newLayer: string): readonly TextEdit[] | { unavailable: string } {
  const lineEnd = text.indexOf('\n', layer.range.end);
  const tail = text.slice(layer.range.end, lineEnd < 0 ? text.length : lineEnd);
  if (!/^[ \t]*(#.*)?$/.test(tail)) return { unavailable: `\`self.${attribute}\` is not alone on its line, so a layer cannot be inserted after it.` };
  const uses = [...text.matchAll(new RegExp(`^([ \\t]*)(\\w+)[ \\t]*=[ \\t]*self\\.${attribute}\\([ \\t]*\\w+[ \\t]*(?:,[^)\\n]*)?\\)[ \\t]*(?:#.*)?$`, 'gm'))];
  const applied = text.match(new RegExp(`self\\.${attribute}\\(`, 'g'))?.length ?? 0;
  if (uses.length !== 1 || applied !== 1) return { unavailable: `\`self.${attribute}\` is not applied once as \`x = self.${attribute}(x)\` in \`call\`, so a layer cannot be inserted after it.` };
  const className = /(\w+)\(/.exec(newLayer)?.[1] ?? 'layer';
  const short = ({ BatchNormalization: 'bn', LeakyReLU: 'leaky_relu' } as Record<string, string>)[className] ?? className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  let name = `${attribute}_${short}`;
  for (let n = 2; new RegExp(`\\bself\\.${name}\\b`).test(text); n++) name = `${attribute}_${short}${n}`;
  const use = uses[0]!;
  const useEnd = use.index! + use[0].length;
  const initEnd = layer.range.end + tail.length;
  return [
    { range: { start: initEnd, end: initEnd }, newText: `\n${indentAt(text, layer.range.start)}self.${name} = ${newLayer}` },
    { range: { start: useEnd, end: useEnd }, newText: `\n${use[1]}${use[2]} = self.${name}(${use[2]})` },
  ];
}

function insertLayerAfterEach(context: KerasFixContext, code: FixCode, className: string, skip: (layer: LayerNode) => boolean, args = ''): TextEdit[] | FixPlan {
  const edits: TextEdit[] = [];
  let importAdded = false;
  for (const layer of context.targets) {
    if (skip(layer)) continue;
    const spelled = spelledLike(context.text, layer, className, args);
    if (!spelled) return { code, unavailable: `Could not read how \`${layer.id}\` is spelled.` };
    const insert = insertAfter(context.text, layer, spelled.call);
    if ('unavailable' in insert) return { code, unavailable: insert.unavailable };
    edits.push(...(Array.isArray(insert) ? insert : [insert as TextEdit]));
    if (!importAdded && spelled.imports.length) {
      edits.push(...spelled.imports);
      importAdded = true;
    }
  }
  return edits;
}

/** Keras' own `clipnorm=` on the compile's optimizer. */
function planClipNorm(text: string, graph: ModelGraph): FixPlan {
  const code: FixCode = 'clip-gradients';
  const compile = graph.compile;
  const written = compile?.configRanges.optimizer;
  if (!compile || !written) return { code, unavailable: `\`${graph.name}\` has no \`compile(optimizer=...)\` to add \`clipnorm\` to.` };
  let value = written.value;
  let valueText = text.slice(value.start, value.end);
  // `optimizer=opt` with `opt = SGD(...)` earlier in the file: edit that call.
  if (/^[A-Za-z_]\w*$/.test(valueText)) {
    const assignment = new RegExp(`^[ \\t]*${valueText}[ \\t]*=[ \\t]*`, 'm').exec(text.slice(0, value.start));
    if (!assignment) return { code, unavailable: `\`${valueText}\` is not assigned an optimizer call in this file.` };
    const start = assignment.index + assignment[0].length;
    const open = text.indexOf('(', start);
    const end = open < 0 ? undefined : closingBracket(text, open);
    if (end === undefined) return { code, unavailable: `\`${valueText}\` is not assigned an optimizer call in this file.` };
    value = { start, end };
    valueText = text.slice(start, end);
  }
  if (/\bclipnorm\s*=|\bclipvalue\s*=|\bglobal_clipnorm\s*=/.test(valueText)) return { code, unavailable: 'The optimizer already clips its gradients.' };
  const string = /^(['"])(\w+)\1$/.exec(valueText);
  if (string) {
    const className = OPTIMIZER_CLASSES[string[2]!.toLowerCase()];
    if (!className) return { code, unavailable: `Unknown optimizer \`${string[2]}\`.` };
    // Spelled with a name the file has: `tf.keras.`, `optimizers.`, `keras.`, else a bare class it imports.
    const hasTf = /^import[ \t]+tensorflow[ \t]+as[ \t]+tf\b/m.test(text);
    const prefix = hasTf && /\btf\.keras\./.test(text) ? 'tf.keras.optimizers.'
      : /^from[ \t]+[\w.]+[ \t]+import[^\n]*\boptimizers\b/m.test(text) ? 'optimizers.'
      : /^(from[ \t]+tensorflow[ \t]+import[^\n]*\bkeras\b|import[ \t]+keras\b)/m.test(text) ? 'keras.optimizers.'
      : hasTf ? 'tf.keras.optimizers.' : '';
    const edits: TextEdit[] = [{ range: value, newText: `${prefix}${className}(clipnorm=1.0)` }];
    if (!prefix && !new RegExp(`^from[ \\t]+[\\w.]+[ \\t]+import[^\\n]*\\b${className}\\b`, 'm').test(text)) {
      const module = /^from[ \t]+(keras)\b/m.test(text) ? 'keras.optimizers' : 'tensorflow.keras.optimizers';
      edits.push({ range: { start: 0, end: 0 }, newText: `from ${module} import ${className}\n` });
    }
    return { code, title: 'Clip gradients with clipnorm=1.0 on the optimizer', edits };
  }
  const open = valueText.indexOf('(');
  const close = open < 0 ? undefined : closingBracket(text, value.start + open);
  if (close === undefined) return { code, unavailable: 'The optimizer is not written as a string or a call here.' };
  return { code, title: 'Clip gradients with clipnorm=1.0 on the optimizer', edits: [addKeyword(text, { start: value.start + open, end: close }, 'clipnorm', '1.0')] };
}

/** Plans one fix for a Keras model (see planFix for the meaning of the arguments). */
export function planKerasFix(context: KerasFixContext, code: FixCode): FixPlan {
  const { text, graph, targets } = context;
  if (code === 'clip-gradients') return planClipNorm(text, graph);
  if (code === 'add-residual') {
    const plan = planKerasResidual(text, graph);
    return 'unavailable' in plan ? { code, unavailable: plan.unavailable } : { code, ...plan };
  }
  if (targets.length === 0) return { code, unavailable: `No layer of \`${graph.name}\` needs this fix.` };
  const edits: TextEdit[] = [];
  switch (code) {
    case 'activation-relu':
    case 'activation-elu': {
      const activation = code === 'activation-relu' ? 'relu' : 'elu';
      for (const layer of targets) {
        if (layer.type === 'reLU') {
          const spelled = spelledLike(text, layer, 'ELU');
          if (!spelled) return { code, unavailable: `Could not read how \`${layer.id}\` is spelled.` };
          edits.push({ range: layer.range, newText: spelled.call }, ...spelled.imports);
          continue;
        }
        const quoted = `${quoteIn(text, layer.configRanges.activation?.value ?? layer.range)}`;
        const edit = setKeyword(text, layer, 'activation', `${quoted}${activation}${quoted}`);
        if (!edit) return { code, unavailable: `Could not find the arguments of \`${layer.id}\`.` };
        edits.push(edit);
      }
      return { code, title: `Use ${activation === 'relu' ? 'ReLU' : 'ELU'} in ${plural(targets.length, 'layer call')}`, edits };
    }
    case 'activation-leaky-relu': {
      for (const layer of targets) {
        if (layer.type === 'activation' || layer.type === 'reLU') {
          const spelled = spelledLike(text, layer, 'LeakyReLU');
          if (!spelled) return { code, unavailable: `Could not read how \`${layer.id}\` is spelled.` };
          edits.push({ range: layer.range, newText: spelled.call }, ...spelled.imports);
          continue;
        }
        const removal = removeKeyword(text, layer, 'activation');
        if (removal) edits.push(removal);
      }
      const inserted = insertLayerAfterEach(context, code, 'LeakyReLU', (layer) => layer.type === 'activation' || layer.type === 'reLU');
      if (!Array.isArray(inserted)) return inserted;
      return { code, title: `Use LeakyReLU after ${plural(targets.length, 'layer call')}`, edits: dedupeImports([...edits, ...inserted]) };
    }
    case 'init-he':
    case 'init-glorot': {
      const tfjsName = code === 'init-he' ? 'heNormal' : 'glorotNormal';
      const kerasName = code === 'init-he' ? 'he_normal' : 'glorot_normal';
      for (const layer of targets) {
        if (layer.config.kernelInitializer === tfjsName) continue;
        const quote = quoteIn(text, layer.range);
        const edit = setKeyword(text, layer, 'kernelInitializer', `${quote}${kerasName}${quote}`);
        if (!edit) return { code, unavailable: `Could not find the arguments of \`${layer.id}\`.` };
        edits.push(edit);
      }
      if (edits.length === 0) return { code, unavailable: `Every targeted layer already uses \`${kerasName}\`.` };
      return { code, title: `Use ${code === 'init-he' ? 'He' : 'Glorot'} initialization in ${plural(edits.length, 'layer call')}`, edits };
    }
    case 'insert-batch-norm': {
      const normalized = (layer: LayerNode): boolean => context.successors(layer).some((l) => l.type === 'batchNormalization' || l.type === 'layerNormalization');
      const inserted = insertLayerAfterEach(context, code, 'BatchNormalization', normalized);
      if (!Array.isArray(inserted)) return inserted;
      if (!inserted.length) return { code, unavailable: 'Every targeted layer is already followed by batch normalization.' };
      return { code, title: `Insert batch normalization after ${plural(inserted.filter((e) => e.newText.includes('BatchNormalization(')).length, 'layer call')}`, edits: inserted };
    }
    case 'rnn-lstm':
    case 'rnn-gru': {
      const className = code === 'rnn-lstm' ? 'LSTM' : 'GRU';
      let importAdded = false;
      for (const layer of targets) {
        const callee = calleeOf(text, layer);
        if (!callee) return { code, unavailable: `Could not read how \`${layer.id}\` is spelled.` };
        edits.push({ range: callee.range, newText: className });
        const imported = !callee.prefix && !importAdded ? importEdit(text, callee.name, className) : undefined;
        if (imported) {
          edits.push(imported);
          importAdded = true;
        }
      }
      return { code, title: `Replace SimpleRNN with ${className} in ${plural(targets.length, 'layer call')}`, edits };
    }
  }
  return { code, unavailable: 'Not a fix for Keras code.' };
}

/** One import edit per position: two fixes of a plan may both want the same new name. */
function dedupeImports(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((edit) => {
    const key = `${edit.range.start}:${edit.range.end}:${edit.newText}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `wanted`, or `wanted2`... when the code already uses the name (comments do not count). */
function uniqueName(text: string, wanted: string): string {
  const code = text.replace(/#[^\n]*/g, '');
  let name = wanted;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(code); i++) name = `${wanted}${i}`;
  return name;
}

/**
 * `add-residual` for `model = keras.Sequential()` grown by `model.add(...)` statements: the
 * functional API with `Add()([x, layer(x)])` around every layer that keeps its input's shape.
 * Loops and the rest of the code stay; `model` is assigned the functional model after the last
 * add, so `compile` and `fit` keep working. Where that cannot be done safely, it says why.
 */
function planKerasResidual(text: string, graph: ModelGraph): { edits: TextEdit[]; title: string } | { unavailable: string } {
  if (graph.kind !== 'sequential') return { unavailable: `\`${graph.name}\` already uses the functional API; add \`Add()([x, shortcut])\` skips there by hand.` };
  const lineOfModel = lineStart(text, graph.range.start);
  const declared = /^([ \t]*)([A-Za-z_]\w*)[ \t]*=[ \t]*$/.exec(text.slice(lineOfModel, graph.range.start));
  const creation = /^((?:[A-Za-z_]\w*\.)*)Sequential\(\s*\)$/.exec(text.slice(graph.range.start, graph.range.end));
  if (!declared || !creation) return { unavailable: 'Only a model declared as `model = keras.Sequential()` and grown with `model.add(...)` statements can be rewritten.' };
  const [, indent, variable] = declared as unknown as [string, string, string];
  const namespace = creation[1]!;
  // Every use of the variable after its declaration: `.add(...)` statements first, anything else after.
  const adds: { start: number; end: number; layer: LayerNode }[] = [];
  let firstOtherUse = Number.POSITIVE_INFINITY;
  for (const use of text.slice(graph.range.end).matchAll(new RegExp(`\\b${variable}\\b`, 'g'))) {
    const at = graph.range.end + use.index!;
    const add = new RegExp(`^${variable}\\.add\\(\\s*`).exec(text.slice(at));
    const layer = add && graph.layers.find((l) => l.range.start === at + add[0].length);
    const close = layer && /^\s*\)/.exec(text.slice(layer.range.end));
    if (layer && close) adds.push({ start: at, end: layer.range.end + close[0].length, layer });
    else firstOtherUse = Math.min(firstOtherUse, at);
  }
  if (!adds.length) return { unavailable: `\`${variable}\` gets no layers through \`${variable}.add(...)\` statements.` };
  if (firstOtherUse < adds[adds.length - 1]!.end) return { unavailable: `\`${variable}\` is used before its last \`add\`; the rewrite could change what that code sees.` };
  const layers = graph.layers;
  if (layers.some((l) => !l.outputShape)) return { unavailable: 'Some layer shapes are unknown, so skip connections cannot be placed safely.' };
  const first = layers[0]!;
  const shape = first.configRanges.inputShape;
  if (!shape || adds[0]!.layer !== first) return { unavailable: 'The first layer needs an `input_shape=` to build `Input` from.' };
  const inputOf = (layer: LayerNode): readonly (number | null)[] | undefined => {
    const index = layers.indexOf(layer);
    return index === 0 ? [null, ...(graph.inputShape ?? [])] : layers[index - 1]!.outputShape;
  };
  const residual = new Map<number, boolean>();
  for (const layer of layers) {
    const fits = sameShape(inputOf(layer), layer.outputShape) && !graph.outputs.includes(layer.id) && layer.type !== 'dropout';
    // A call made in a loop gets a skip only if every iteration fits.
    residual.set(layer.range.start, (residual.get(layer.range.start) ?? true) && fits);
  }
  if (![...residual.values()].some(Boolean)) return { unavailable: 'No layer keeps the shape of its input, so there is nowhere to add a skip connection without projections.' };
  // Spell Input, Model and Add like the file: `keras.Input`, `layers.Add`, or bare names it imports.
  const layerCallee = calleeOf(text, first);
  if (!layerCallee) return { unavailable: `Could not read how \`${first.id}\` is spelled.` };
  const importEdits: TextEdit[] = [];
  // `keras.models.Sequential` has its `Model` there too, but `Input` lives one level up.
  let inputName = `${namespace.replace(/models\.$/, '')}Input`;
  let modelName = `${namespace}Model`;
  const addName = `${layerCallee.prefix}Add`;
  if (!namespace) {
    const modelImport = importEdit(text, 'Sequential', 'Model');
    if (modelImport) importEdits.push(modelImport);
    modelName = 'Model';
    inputName = layerCallee.prefix ? `${layerCallee.prefix}Input` : 'Input';
  }
  if (!layerCallee.prefix) {
    const wanted = [...(namespace ? [] : ['Input']), 'Add'];
    const layerImport = importEdit(text, layerCallee.name, wanted);
    if (layerImport) importEdits.push(layerImport);
  }
  const inputs = uniqueName(text, 'inputs');
  const x = uniqueName(text, 'x');
  const shapeText = text.slice(shape.value.start, shape.value.end);
  const edits: TextEdit[] = [
    ...importEdits,
    { range: { start: lineOfModel + indent.length, end: graph.range.end }, newText: `${inputs} = ${inputName}(shape=${shapeText})\n${indent}${x} = ${inputs}` },
  ];
  let skips = 0;
  for (const add of adds) {
    let layerText = text.slice(add.layer.range.start, add.layer.range.end);
    if (add.layer === first) {
      const removal = removeKeyword(text, first, 'inputShape');
      if (removal) layerText = text.slice(first.range.start, removal.range.start) + text.slice(removal.range.end, first.range.end);
    }
    const skip = residual.get(add.layer.range.start) ?? false;
    if (skip) skips++;
    edits.push({ range: { start: add.start, end: add.end }, newText: skip ? `${x} = ${addName}()([${x}, ${layerText}(${x})])` : `${x} = ${layerText}(${x})` });
  }
  const last = adds[adds.length - 1]!;
  const lineEnd = text.indexOf('\n', last.end);
  const at = lineEnd < 0 ? text.length : lineEnd;
  edits.push({ range: { start: at, end: at }, newText: `\n${indent}${variable} = ${modelName}(inputs=${inputs}, outputs=${x})` });
  return { edits, title: `Add skip connections around ${plural(skips, 'layer call')} of \`${variable}\` (functional API)` };
}
