/**
 * Fixes for causes at the output and in the compile call, for tfjs (TS/JS) and Keras (Python)
 * files alike, planned from the graph's ranges: the output activation (`output-sigmoid`,
 * `output-softmax`, `output-linear`), the output's units from the stated classes
 * (`output-units`), the loss (`loss-*`), a layer after the output moved before it or removed
 * (`move-before-output`, `remove-layer`), the ReLU before a softmax made linear
 * (`linear-before-softmax`), and the learning rate set to the optimizer's default
 * (`lower-learning-rate`). Each is idempotent: applied again it finds nothing to change.
 */
import type { LayerNode, ModelGraph, SourceRange } from '../ir';
import { isPythonFile } from '../languages';
import { DEFAULT_LEARNING_RATES, learningRate, lossFamily, outputHead, type LossFamily } from '../analysis/outputRules';
import type { TextEdit } from './edits';
import type { FixCode, FixPlan } from './codes';
import { KERNEL_LAYERS } from '../layerKinds';
import { closingBracket, indentAt, lineStart, quoteIn, removeKeyword, setKeyword, spelledLike } from './keras';
import { SourceView } from './syntax';

const OUTPUT_FIXES = [
  'output-sigmoid', 'output-softmax', 'output-linear', 'output-units',
  'loss-binary-crossentropy', 'loss-categorical-crossentropy', 'loss-sparse-categorical-crossentropy',
  'move-before-output', 'remove-layer', 'linear-before-softmax', 'lower-learning-rate',
] as const;
type OutputFix = (typeof OUTPUT_FIXES)[number];

export function isOutputFix(code: FixCode): code is OutputFix {
  return (OUTPUT_FIXES as readonly string[]).includes(code);
}

const LOSSES: Readonly<Record<string, { family: LossFamily; ts: string; py: string; title: string }>> = {
  'loss-binary-crossentropy': { family: 'binary', ts: 'binaryCrossentropy', py: 'binary_crossentropy', title: 'binary cross-entropy' },
  'loss-categorical-crossentropy': { family: 'categorical', ts: 'categoricalCrossentropy', py: 'categorical_crossentropy', title: 'categorical cross-entropy' },
  'loss-sparse-categorical-crossentropy': { family: 'sparse', ts: 'sparseCategoricalCrossentropy', py: 'sparse_categorical_crossentropy', title: 'sparse categorical cross-entropy' },
};

interface Context {
  readonly text: string;
  readonly python: boolean;
  readonly graph: ModelGraph;
  /** Lazily made: the TypeScript tree of a TS/JS file. */
  view(): SourceView;
}

function byId(graph: ModelGraph, id: string | undefined): LayerNode | undefined {
  return graph.layers.find((l) => l.id === id);
}

/** The heads of the outputs a finding is about (all outputs when no layers are named). */
function heads(graph: ModelGraph, layerIds: readonly string[] | undefined): NonNullable<ReturnType<typeof outputHead>>[] {
  return graph.outputs.map((_, i) => outputHead(graph, i)).filter((h): h is NonNullable<typeof h> => !!h && (!layerIds || layerIds.some((id) => id === h.activationLayer.id || h.after.some((l) => l.id === id) || h.reluBeforeSoftmax?.id === id)));
}

/** The weight layer that computes an output: the activation layer itself, or the kernel layer feeding it. */
function weightLayerOf(graph: ModelGraph, layer: LayerNode): LayerNode | undefined {
  let current: LayerNode | undefined = layer;
  while (current && !KERNEL_LAYERS.has(current.type)) current = byId(graph, current.inbound[0]);
  return current;
}

function unavailable(code: FixCode, reason: string): FixPlan {
  return { code, unavailable: reason };
}

/** Sets the activation of a layer call to `activation`, in the file's language and style. */
function setActivation(context: Context, code: FixCode, layer: LayerNode, activation: string): TextEdit[] | FixPlan {
  const { text } = context;
  if (context.python) {
    if (layer.type === 'softmax' || layer.type === 'reLU') {
      const spelled = spelledLike(text, layer, 'Activation', `${quoteIn(text, layer.range)}${activation}${quoteIn(text, layer.range)}`);
      if (!spelled) return unavailable(code, `Could not read how \`${layer.id}\` is spelled.`);
      return [{ range: layer.range, newText: spelled.call }, ...spelled.imports];
    }
    const quote = quoteIn(text, layer.configRanges.activation?.value ?? layer.range);
    const edit = setKeyword(text, layer, 'activation', `${quote}${activation}${quote}`);
    return edit ? [edit] : unavailable(code, `Could not find the arguments of \`${layer.id}\`.`);
  }
  const view = context.view();
  const site = view.layerSite(layer.range);
  if (!site) return unavailable(code, `Could not find the code of \`${layer.id}\` in the file.`);
  if (layer.type === 'softmax' || layer.type === 'reLU') return [{ range: view.range(site.call), newText: `${site.prefix}activation({ activation: ${view.string(activation)} })` }];
  if (!site.config) return unavailable(code, `\`${layer.id}\` gets its config from a variable, not an object literal; edit it where the config is written.`);
  return [view.setProperty(site.config, 'activation', view.string(activation))];
}

/** Removes a layer call from the model: its `add` statement, its list element, or its call on a tensor. */
function removeLayer(context: Context, code: FixCode, layer: LayerNode): TextEdit[] | FixPlan {
  const { text } = context;
  if (context.python) {
    const before = text.slice(lineStart(text, layer.range.start), layer.range.start);
    const rest = text.slice(layer.range.end);
    const add = /^[ \t]*\w[\w.]*\.add\(\s*$/.exec(before);
    const close = /^\s*\)[ \t]*(#[^\n]*)?\n?/.exec(rest);
    if (add && close) return [{ range: { start: lineStart(text, layer.range.start), end: layer.range.end + close[0].length }, newText: '' }];
    const applied = /^\s*\(\s*(\w+)\s*\)/.exec(rest);
    const assigned = /^[ \t]*(\w+)\s*=\s*$/.exec(before);
    if (applied && assigned) {
      if (assigned[1] === applied[1]) {
        const end = layer.range.end + applied[0].length;
        const newline = text[end] === '\n' ? 1 : 0;
        return [{ range: { start: lineStart(text, layer.range.start), end: end + newline }, newText: '' }];
      }
      return [{ range: { start: layer.range.start, end: layer.range.end + applied[0].length }, newText: applied[1]! }];
    }
    return removeListElement(text, layer.range) ?? unavailable(code, `\`${layer.id}\` is not added with \`model.add\`, a \`[...]\` list or a call on a tensor, so it cannot be removed here.`);
  }
  const view = context.view();
  const site = view.layerSite(layer.range);
  if (!site) return unavailable(code, `Could not find the code of \`${layer.id}\` in the file.`);
  const ctx = site.context;
  if (ctx.kind === 'add') {
    const { start, end } = view.range(ctx.statement);
    const from = lineStart(text, start);
    const alone = !text.slice(from, start).trim();
    const newline = text[end] === '\n' ? 1 : 0;
    return [{ range: { start: alone ? from : start, end: end + (alone ? newline : 0) }, newText: '' }];
  }
  if (ctx.kind === 'array') return removeListElement(text, view.range(ctx.element)) ?? unavailable(code, `Could not remove \`${layer.id}\` from its list.`);
  if (ctx.kind === 'apply') {
    const argument = ctx.applyCall.arguments[0];
    if (!argument || ctx.applyCall.arguments.length !== 1) return unavailable(code, `\`${layer.id}\` is applied to more than one tensor.`);
    const ts = view.ts;
    // `x = layer.apply(x) as T;` on a line of its own: the statement goes.
    let node: import('typescript').Node = ctx.applyCall;
    while (ts.isAsExpression(node.parent) || ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
    const assignment = node.parent;
    if (ts.isBinaryExpression(assignment) && assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken && assignment.right === node &&
        assignment.left.getText(view.file) === argument.getText(view.file) && ts.isExpressionStatement(assignment.parent)) {
      const { start, end } = view.range(assignment.parent);
      const from = lineStart(text, start);
      const lineEnd = text.indexOf('\n', end);
      if (!text.slice(from, start).trim()) return [{ range: { start: from, end: lineEnd < 0 ? text.length : lineEnd + 1 }, newText: '' }];
    }
    return [{ range: view.range(ctx.applyCall), newText: argument.getText(view.file) }];
  }
  return unavailable(code, `\`${layer.id}\` is not added with \`model.add\`, a \`layers: [...]\` list or \`.apply\`, so it cannot be removed here.`);
}

/** Removes the element at `range` of a `[...]` list with the comma that separates it. */
function removeListElement(text: string, range: SourceRange): TextEdit[] | undefined {
  const after = /^\s*,[ \t]*(#[^\n]*|\/\/[^\n]*)?/.exec(text.slice(range.end));
  const before = /,\s*$/.exec(text.slice(0, range.start));
  if (!after && !/^\s*\]/.test(text.slice(range.end))) return undefined;
  if (after) {
    // One element per line: the whole line goes.
    const from = lineStart(text, range.start);
    const lineEnd = range.end + after[0].length;
    if (!text.slice(from, range.start).trim() && (text[lineEnd] === '\n' || lineEnd === text.length)) return [{ range: { start: from, end: lineEnd + (text[lineEnd] === '\n' ? 1 : 0) }, newText: '' }];
    return [{ range: { start: range.start, end: range.end + after[0].length }, newText: '' }];
  }
  if (!before) return [{ range, newText: '' }];
  return [{ range: { start: range.start - before[0].length, end: range.end }, newText: '' }];
}

/** Inserts `layerText` as a layer right before `layer` (its `add` statement or list element). */
function insertBefore(context: Context, code: FixCode, layer: LayerNode, layerText: string): TextEdit[] | FixPlan {
  const { text } = context;
  if (context.python) {
    const from = lineStart(text, layer.range.start);
    const before = text.slice(from, layer.range.start);
    const add = /^([ \t]*)(\w[\w.]*)\.add\(\s*$/.exec(before);
    if (add) return [{ range: { start: from, end: from }, newText: `${add[1]}${add[2]}.add(${layerText})\n` }];
    if (/[[,]\s*$/.test(text.slice(0, layer.range.start))) {
      const multiline = !before.trim();
      return [{ range: { start: layer.range.start, end: layer.range.start }, newText: multiline ? `${layerText},\n${indentAt(text, layer.range.start)}` : `${layerText}, ` }];
    }
    return unavailable(code, `\`${layer.id}\` is not added with \`model.add\` or a \`[...]\` list; move the layer by hand in the functional API.`);
  }
  const view = context.view();
  const site = view.layerSite(layer.range);
  if (!site) return unavailable(code, `Could not find the code of \`${layer.id}\` in the file.`);
  if (site.context.kind === 'add') {
    const statement = site.context.statement;
    const start = view.range(statement).start;
    return [{ range: { start, end: start }, newText: `${site.context.receiver}.add(${layerText});\n${view.indentOf(statement)}` }];
  }
  if (site.context.kind === 'array') {
    const element = view.range(site.context.element).start;
    const multiline = !text.slice(lineStart(text, element), element).trim();
    return [{ range: { start: element, end: element }, newText: multiline ? `${layerText},\n${view.indentOf(site.context.element)}` : `${layerText}, ` }];
  }
  return unavailable(code, `\`${layer.id}\` is not added with \`model.add\` or a \`layers: [...]\` list; move the layer by hand in the functional API.`);
}

/** The learning-rate argument of the compile's optimizer call: where it is written, or where to add it. */
function learningRateSite(context: Context): { range: SourceRange; add?: boolean } | string {
  const { text, graph, python } = context;
  const written = graph.compile?.configRanges.optimizer?.value;
  if (!written) return 'The model has no optimizer written in its compile call.';
  let start = written.start;
  let valueText = text.slice(written.start, written.end);
  if (/^[A-Za-z_$][\w$]*$/.test(valueText)) {
    // `optimizer: opt` with `const opt = tf.train.sgd(...)` / `opt = SGD(...)` earlier.
    const assignment = new RegExp(`^[ \\t]*(?:(?:const|let|var)[ \\t]+)?${valueText}[ \\t]*=[ \\t]*`, 'm').exec(text.slice(0, written.start));
    if (!assignment) return `\`${valueText}\` is not assigned an optimizer call in this file.`;
    start = assignment.index + assignment[0].length;
    const open = text.indexOf('(', start);
    const end = open < 0 ? undefined : closingBracket(text, open);
    if (end === undefined) return `\`${valueText}\` is not assigned an optimizer call in this file.`;
    valueText = text.slice(start, end);
  }
  const open = valueText.indexOf('(');
  if (open < 0) return 'The optimizer is given by name, so it already uses its default learning rate.';
  const close = closingBracket(text, start + open);
  if (close === undefined) return 'Could not read the optimizer call.';
  const inner = text.slice(start + open + 1, close - 1);
  if (python) {
    const keyword = /\b(learning_rate|lr)\s*=\s*/.exec(inner);
    if (keyword) {
      const valueStart = start + open + 1 + keyword.index + keyword[0].length;
      const m = /^[^,)\n]+/.exec(text.slice(valueStart));
      return { range: { start: valueStart, end: valueStart + m![0].trimEnd().length } };
    }
  } else {
    const object = /\blearningRate\s*:\s*/.exec(inner);
    if (object) {
      const valueStart = start + open + 1 + object.index + object[0].length;
      const m = /^[^,})\n]+/.exec(text.slice(valueStart));
      return { range: { start: valueStart, end: valueStart + m![0].trimEnd().length } };
    }
  }
  const first = /^\s*([^,=\s)][^,=)]*?)\s*(,|$)/.exec(inner);
  if (first && !/^\w+\s*=/.test(inner.trim())) {
    const valueStart = start + open + 1 + inner.indexOf(first[1]!);
    return { range: { start: valueStart, end: valueStart + first[1]!.length } };
  }
  return 'The optimizer call does not set a learning rate, so it uses its default.';
}

/** Plans one output/compile fix (see planFix for the arguments). */
export function planOutputFix(text: string, fileName: string, graph: ModelGraph, code: OutputFix, layerIds?: readonly string[]): FixPlan {
  let view: SourceView | undefined;
  const context: Context = { text, python: isPythonFile(fileName), graph, view: () => (view ??= new SourceView(text, fileName)) };
  const finish = (edits: TextEdit[] | FixPlan, title: string): FixPlan => (Array.isArray(edits) ? { code, title, edits } : edits);
  switch (code) {
    case 'output-sigmoid':
    case 'output-softmax':
    case 'output-linear': {
      const activation = code.slice('output-'.length);
      const targets = heads(graph, layerIds).filter((h) => h.activation !== activation);
      if (!targets.length) return unavailable(code, `The output of \`${graph.name}\` already uses ${activation}.`);
      if (code === 'output-softmax' && targets.some((h) => h.units === 1)) return unavailable(code, 'Softmax over one unit is always 1; a one-unit output needs sigmoid.');
      const edits: TextEdit[] = [];
      for (const head of targets) {
        const planned = setActivation(context, code, head.activationLayer, activation);
        if (!Array.isArray(planned)) return planned;
        edits.push(...planned);
      }
      return finish(edits, `Use a ${activation} output in \`${targets.map((h) => h.activationLayer.id).join('`, `')}\``);
    }
    case 'output-units': {
      const classes = graph.labels?.classes;
      if (!classes || classes < 2 || (graph.labels?.kind !== 'one-hot' && graph.labels?.kind !== 'class-ids')) return unavailable(code, 'The code does not state how many classes the labels have.');
      const head = heads(graph, layerIds)[0];
      const layer = head && weightLayerOf(graph, head.activationLayer);
      if (!head || !layer) return unavailable(code, 'The output is not computed by a weight layer this fix can edit.');
      if (head.units === classes) return unavailable(code, `The output already has ${classes} units.`);
      const edits: TextEdit[] = [];
      if (context.python) {
        const edit = setKeyword(text, layer, 'units', String(classes));
        if (!edit) return unavailable(code, `Could not find the arguments of \`${layer.id}\`.`);
        edits.push(edit);
      } else {
        const site = context.view().layerSite(layer.range);
        if (!site?.config) return unavailable(code, `\`${layer.id}\` gets its config from a variable, not an object literal.`);
        edits.push(context.view().setProperty(site.config, 'units', String(classes)));
      }
      // One unit per class goes with softmax.
      if (head.activation !== 'softmax') {
        const planned = setActivation(context, code, head.activationLayer, 'softmax');
        if (!Array.isArray(planned)) return planned;
        // Both edits may target the same call: keep them apart only when they do not overlap.
        if (planned.every((p) => edits.every((e) => p.range.end <= e.range.start || p.range.start >= e.range.end))) edits.push(...planned);
      }
      return finish(edits, `Give \`${layer.id}\` ${classes} units, one per class`);
    }
    case 'loss-binary-crossentropy':
    case 'loss-categorical-crossentropy':
    case 'loss-sparse-categorical-crossentropy': {
      const wanted = LOSSES[code]!;
      const written = graph.compile?.configRanges.loss?.value;
      if (!written) return unavailable(code, `\`${graph.name}\` has no loss written in a compile call.`);
      if (lossFamily(graph.compile?.loss) === wanted.family) return unavailable(code, `The loss is already ${wanted.title}.`);
      const quote = context.python ? quoteIn(text, written) : context.view().quote;
      return finish([{ range: written, newText: `${quote}${context.python ? wanted.py : wanted.ts}${quote}` }], `Use ${wanted.title} as the loss`);
    }
    case 'remove-layer':
    case 'move-before-output': {
      const candidates = heads(graph, layerIds).flatMap((h) => [...h.after, ...(code === 'remove-layer' && h.reluBeforeSoftmax?.type === 'reLU' ? [h.reluBeforeSoftmax] : [])]);
      const targets = layerIds ? candidates.filter((l) => layerIds.includes(l.id)) : candidates;
      if (!targets.length) return unavailable(code, `No layer of \`${graph.name}\` is misplaced after its output.`);
      const edits: TextEdit[] = [];
      for (const layer of targets) {
        const removal = removeLayer(context, code, layer);
        if (!Array.isArray(removal)) return removal;
        edits.push(...removal);
        if (code === 'move-before-output') {
          const head = heads(graph, [layer.id])[0];
          const weight = head && weightLayerOf(graph, head.activationLayer);
          if (!weight) return unavailable(code, 'Could not find the output layer to move it before.');
          const insert = insertBefore(context, code, weight, text.slice(layer.range.start, layer.range.end));
          if (!Array.isArray(insert)) return insert;
          edits.push(...insert);
        }
      }
      const names = targets.map((l) => l.id).join('`, `');
      return finish(edits, code === 'remove-layer' ? `Remove \`${names}\`` : `Move \`${names}\` before the output layer`);
    }
    case 'linear-before-softmax': {
      const targets = heads(graph, layerIds).flatMap((h) => (h.reluBeforeSoftmax && KERNEL_LAYERS.has(h.reluBeforeSoftmax.type) ? [h.reluBeforeSoftmax] : []));
      if (!targets.length) return unavailable(code, 'No weight layer applies ReLU right before a softmax.');
      const edits: TextEdit[] = [];
      for (const layer of targets) {
        if (context.python) {
          const edit = removeKeyword(text, layer, 'activation');
          if (!edit) return unavailable(code, `Could not find the activation of \`${layer.id}\`.`);
          edits.push(edit);
        } else {
          const site = context.view().layerSite(layer.range);
          const edit = site?.config ? context.view().removeProperty(site.config, 'activation') : undefined;
          if (!edit) return unavailable(code, `Could not find the activation of \`${layer.id}\` in an object literal.`);
          edits.push(edit);
        }
      }
      return finish(edits, `Make \`${targets.map((l) => l.id).join('`, `')}\` linear (softmax needs unbounded logits)`);
    }
    case 'lower-learning-rate': {
      const lr = learningRate(graph);
      if (!lr) return unavailable(code, 'The optimizer or its learning rate is not known.');
      if (lr.rate <= lr.default) return unavailable(code, `The learning rate ${lr.rate} is not above the ${lr.optimizer} default (${lr.default}).`);
      const site = learningRateSite(context);
      if (typeof site === 'string') return unavailable(code, site);
      const value = DEFAULT_LEARNING_RATES[lr.optimizer] ?? lr.default;
      return finish([{ range: site.range, newText: String(value) }], `Lower the ${lr.optimizer} learning rate from ${lr.rate} to its default ${value}`);
    }
  }
}
