/**
 * Holes: values the parser could not know. Their roles and suggestions, the advice a run
 * that still has holes gives, and the `gradient-lens:` annotation that fills them.
 * Shared by the TS/JS and Python front ends (only the comment prefix differs).
 */
import { splitFills } from './frontend/annotations';
import { HOLE_NAME } from './frontend/holeNames';
import type { AnnotationSite, DefaultUsed, Hole, HoleRole, ModelGraph, SourceRange } from './ir';

const RECURRENT = new Set(['simpleRNN', 'lstm', 'gru', 'rnn', 'conv1d', 'convLstm2d', 'bidirectional', 'timeDistributed']);
const IMAGE = new Set([
  'conv2d', 'conv2dTranspose', 'separableConv2d', 'depthwiseConv2d', 'maxPooling2d', 'averagePooling2d', 'maxPool2d', 'avgPool2d',
  'avgPooling2d', 'globalAveragePooling2d', 'globalMaxPooling2d', 'globalMaxPool2d', 'zeroPadding2d', 'upSampling2d', 'cropping2D', 'convLstm2d',
]);
/** Layers whose input must have rank 3 or more (batch included): a one-dimension input shape fails. */
const SEQUENCE = new Set(['globalAveragePooling1d', 'globalMaxPooling1d', 'globalMaxPool1d', 'maxPooling1d', 'averagePooling1d', 'maxPool1d', 'avgPool1d', 'avgPooling1d', 'flatten', 'layerNormalization']);

/**
 * The first layer that reads a model's input, standing in for an input layer when a hole's role
 * and suggestion are judged (`tf.input({shape})` followed by a conv2d needs an image shape).
 */
export function consumerType(graph: Pick<ModelGraph, 'layers'>, inputId: string): string | undefined {
  return graph.layers.find((layer) => layer.inbound.includes(inputId))?.type;
}

/** Layers that keep their input's shape, so they say nothing of the rank the model's input needs. */
const SHAPE_KEEPING = new Set([
  'lambda', 'dropout', 'spatialDropout1d', 'spatialDropout2d', 'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'activation', 'batchNormalization',
  'layerNormalization', 'leakyReLU', 'prelu', 'elu', 'reLU', 'thresholdedReLU', 'softmax', 'rescaling', 'normalization', 'masking', 'activityRegularization',
]);

/**
 * The type a Sequential's input-shape hole is judged by: the first layer when it decides the
 * input's rank, else the first one after the shape-keeping layers before it
 * (`Lambda(lambda p: p / 255.0 - 0.5, input_shape=shape)` then `Conv2D`: an image shape).
 */
export function inputShapeDecider(layers: readonly { readonly type: string }[]): string | undefined {
  return (layers.find((layer) => !keepsShape(layer.type)) ?? layers[0])?.type;
}

/** Whether a layer of `type` is taken to output its input's shape (for input-shape suggestions). */
export function keepsShape(type: string): boolean {
  return SHAPE_KEEPING.has(type);
}

/**
 * The role of an unknown at `key` of a `layerType` config; `index` is its position inside an
 * array value (`inputShape: [timeSteps, features]`), `length` that array's length.
 */
export function holeRole(layerType: string, key: string, index?: number, length?: number): HoleRole {
  if (key === 'inputShape' || key === 'batchInputShape' || key === 'shape' || key === 'batchShape') {
    if (index === undefined) return 'input shape';
    // One entry of a shape (`inputShape: [h, w, 2]`) is one dimension: a number, never a list.
    const offset = key.startsWith('batch') ? 1 : 0;
    const last = (length ?? 0) - 1;
    if (index !== last && RECURRENT.has(layerType) && index - offset === 0) return 'time steps';
    return 'input dim';
  }
  if (key === 'learningRate' || key === 'lr') return 'learning rate';
  if (OPTIMIZER_KEYS.has(key)) return 'optimizer parameter';
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
      if (RECURRENT.has(layerType) || SEQUENCE.has(layerType)) return '[20, 8]';
      if (layerType === 'embedding') return '[20]';
      return '[10]';
    case 'input dim': return IMAGE.has(layerType) ? '28' : '10';
    case 'learning rate': return '0.001';
    case 'optimizer parameter': return '0.9';
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

/** Keys of optimizer hyper-parameters (tfjs positional names and Keras keywords). */
const OPTIMIZER_KEYS = new Set([
  'beta1', 'beta2', 'beta_1', 'beta_2', 'epsilon', 'momentum', 'rho', 'decay', 'initialAccumulatorValue', 'useNesterov', 'nesterov', 'centered',
]);

interface OptimizerSpec {
  /** Whose defaults these are, as the result says it. */
  readonly owner: string;
  /** Parameters in tfjs' positional order, with the value used when unknown. */
  readonly parameters: readonly (readonly [name: string, value: string])[];
}

/**
 * Defaults of the tfjs optimizers (tf.train.*, tfjs-core 4.22 optimizer constructors). tfjs
 * has no default learning rate for sgd, momentum, adagrad and rmsprop: those use Keras' (SGD
 * 0.01, Adagrad 0.001, RMSprop 0.001); `momentum` has no default in either, 0.9 is the
 * customary value (Sutskever et al. 2013).
 */
const OPTIMIZERS: Readonly<Record<string, OptimizerSpec>> = {
  sgd: { owner: "Keras' SGD default", parameters: [['learningRate', '0.01']] },
  momentum: { owner: "the customary momentum-SGD value", parameters: [['learningRate', '0.01'], ['momentum', '0.9'], ['useNesterov', 'false']] },
  adagrad: { owner: "Keras' Adagrad default", parameters: [['learningRate', '0.001'], ['initialAccumulatorValue', '0.1']] },
  adadelta: { owner: "Adadelta's default", parameters: [['learningRate', '0.001'], ['rho', '0.95'], ['epsilon', '1e-7']] },
  adam: { owner: "Adam's default", parameters: [['learningRate', '0.001'], ['beta1', '0.9'], ['beta2', '0.999'], ['epsilon', '1e-7']] },
  adamax: { owner: "Adamax's default", parameters: [['learningRate', '0.002'], ['beta1', '0.9'], ['beta2', '0.999'], ['epsilon', '1e-7'], ['decay', '0']] },
  rmsprop: { owner: "Keras' RMSprop default", parameters: [['learningRate', '0.001'], ['decay', '0.9'], ['momentum', '0'], ['epsilon', '1e-7'], ['centered', 'false']] },
};
const KERAS_KEYS: Readonly<Record<string, string>> = { lr: 'learningRate', learning_rate: 'learningRate', beta_1: 'beta1', beta_2: 'beta2', nesterov: 'useNesterov' };

/**
 * The role, default and owner of an argument of an optimizer factory (`train.adam`, by position
 * or keyword); undefined when `callee` is not an optimizer tfjs has.
 */
export function optimizerArgument(callee: string, at: number | string): { role: HoleRole; suggestion: string; defaultOf: string } | undefined {
  const spec = OPTIMIZERS[callee.replace(/^train\./, '')];
  if (!spec || !callee.startsWith('train.')) return undefined;
  const name = typeof at === 'number' ? spec.parameters[at]?.[0] : KERAS_KEYS[at] ?? at;
  const parameter = spec.parameters.find(([key]) => key === name);
  if (!parameter) return undefined;
  return { role: parameter[0] === 'learningRate' ? 'learning rate' : 'optimizer parameter', suggestion: parameter[1], defaultOf: spec.owner };
}

/** The owner of the defaults used for a hole that decides no layer (`optimizer`, `loss` keys of compile). */
function compileDefault(hole: Hole): string | undefined {
  if (hole.defaultOf) return hole.defaultOf;
  if (hole.role === 'optimizer') return 'a common default optimizer';
  if (hole.role === 'loss') return 'a loss any output shape takes';
  if (hole.role === 'learning rate' || hole.role === 'optimizer parameter') return 'a common default';
  return hole.usedBy.length && hole.usedBy.every((use) => use.startsWith('compile.')) ? 'an example value' : undefined;
}

/**
 * Whether a hole blocks a measurement: only when it can change the layer graph or a shape.
 * Learning rates, optimizer parameters, the optimizer and the loss of `compile` do not: the
 * measurement uses the hole's suggestion (a documented default) and says so (`defaultsUsed`).
 */
export function blocksTraining(hole: Hole): boolean {
  return compileDefault(hole) === undefined;
}

/** `learning rate \`lr\` unknown: used 0.001, Adam's default`. */
export function defaultMessage(hole: Hole): string {
  return `${hole.role} \`${hole.name}\` unknown: used ${hole.suggestion}, ${compileDefault(hole) ?? 'an example value'}`;
}

/**
 * What a measurement uses for a model's non-blocking holes: the values to fill them with
 * (name -> source text) and what to say about each. Undefined when a hole still blocks.
 */
export function defaultFills(graph: ModelGraph): { fills: Record<string, string>; used: DefaultUsed[] } | undefined {
  const holes = graph.holes ?? [];
  if (!holes.length || holes.some(blocksTraining)) return undefined;
  const fills: Record<string, string> = {};
  const used: DefaultUsed[] = [];
  for (const hole of holes) {
    fills[hole.name] = hole.suggestion;
    used.push({ name: hole.name, value: hole.suggestion, message: defaultMessage(hole), range: hole.range });
  }
  return { fills, used };
}

/**
 * `--set name=value` quoted for a POSIX shell so the CLI receives it unchanged:
 * `--set "opt='adam'"`, `--set 'shape=[28, 28, 1]'`, `--set 'settings.units()=32'`.
 */
export function shellSetArgument(name: string, value: string): string {
  const text = `${name}=${value}`;
  if (!text.includes("'")) return `--set '${text}'`;
  if (!/["$`\\!]/.test(text)) return `--set "${text}"`;
  return `--set '${text.replace(/'/g, `'"'"'`)}'`;
}

/** What a hole's name looks like (kept here for the CLI's `--set` check; defined with the annotations). */
export { HOLE_NAME };

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

/** Where the values an advice shows come from: examples, or the data the code fits (`xs`). */
function provenance(holes: readonly Hole[]): string {
  const read = holes.filter((h) => h.suggestedFrom);
  if (!read.length) return 'the values shown are examples, not read from your code';
  const from = read.map((h) => `\`${h.name}\` from the data \`${h.suggestedFrom}\``).join(', ');
  return read.length === holes.length ? `${from}: check it is what the model should take` : `${from}; the other values shown are examples, not read from your code`;
}

/** Says which holes remain and how to fill them; undefined when there are none. */
export function holeAdvice(graph: ModelGraph, language: 'ts' | 'py' = 'ts'): string | undefined {
  const holes = graph.holes ?? [];
  if (!holes.length) return undefined;
  const list = holes.map((h) => `\`${h.name}\` (${h.role}, used by ${h.usedBy.join(', ')}${blocksTraining(h) ? '' : `; measured with ${h.suggestion}, ${compileDefault(h)}`})`).join('; ');
  const example = holes.map((h) => `${h.name}=${h.suggestion}`).join(', ');
  const comment = language === 'py' ? '#' : '//';
  const sets = holes.map((h) => shellSetArgument(h.name, h.suggestion)).join(' ');
  return (
    `Model \`${graph.name}\` has values the parser cannot know: ${list}. ` +
    `Fill them with an annotation comment above the function that builds the model (or above the statement, at top level), \`${comment} gradient-lens: ${example}\`, ` +
    `or on the command line with ${sets} (${provenance(holes)}).`
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
  return splitFills(body).map(({ name, expression }) => [name, expression]);
}
