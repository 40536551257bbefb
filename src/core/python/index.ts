/**
 * The Keras front end: Python source text -> every Keras model the file defines, as the same
 * ModelGraph IR the tfjs parser produces (tfjs factory names, camelCase config keys).
 * Never runs Python and never throws on user code.
 */
import {
  isUnknownValue,
  type CompileInfo,
  type ConfigValue,
  type Hole,
  type LayerNode,
  type ModelGraph,
  type ParseProblem,
  type ParseResult,
  type SourceRange,
} from '../ir';
import { chooseFreeLengths, declaredInputShape, finishGraph, layerIds, nodesReaching, statefulBatch } from '../graph';
import { flowHole } from '../frontend/flowHoles';
import { runTitles, UniqueNames } from '../frontend/modelNames';
import { holeRole, holeSuggestion, inputShapeDecider, keepsShape, mergeHoles } from '../holes';
import { Deadline, EvaluationBudget, PARSE_LIMITS } from '../limits';
import { Evaluator } from './evaluator';
import { IDENTITY_STAND_IN_TYPES, PREPROCESSING_TYPES } from './kerasApi';
import { FunctionalModel, MAX_STEPS, SequentialModel, type CompileRecord, type GraphNode, type LayerValue, type ModelValue } from './values';
import { withVariants, type Reading, type VariantValues } from './variants';

export interface PythonParseOptions {
  /** Reads another file, for imports of the user's own modules (`from helpers import build`); `{reason}` when refused. */
  readonly readFile?: (path: string, request?: { readonly prefix?: boolean }) => string | undefined | { readonly reason: string };
  /** Values for template parameters (or access chains) by name, as Python expression text. */
  readonly set?: Readonly<Record<string, string>>;
  /** The same, for one builder function's models only, by function name. */
  readonly setFor?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Wall-clock limit of evaluating the file, in ms. */
  readonly timeMs?: number;
}

/**
 * Parses `text` (a Python file) and returns its Keras models and problems. A string from outside
 * the file that picks the architecture (an argparse option, a hole compared with strings) gives
 * one model per value (variants.ts).
 */
export function parsePythonModels(text: string, fileName = 'model.py', options: PythonParseOptions = {}): ParseResult {
  const timeMs = options.timeMs ?? PARSE_LIMITS.timeMs;
  const started = performance.now();
  // One budget for the file: every reading (one per value that picks the architecture) and
  // every imported module share its steps (one and a half readings' worth) and its deadline.
  const fileBudget = new EvaluationBudget(1.5 * MAX_STEPS, new Deadline(timeMs));
  const importPool = fileBudget.child(MAX_STEPS / 2);
  const base = readPython(text, fileName, { ...options, budget: fileBudget.child(MAX_STEPS), importPool });
  const read = (values: VariantValues, left: number): Reading =>
    readPython(text, fileName, { ...options, ...values, set: { ...options.set, ...values.set }, timeMs: left, budget: fileBudget.child(MAX_STEPS), importPool });
  return withVariants(base, read, timeMs - (performance.now() - started));
}

/** One reading of the file with the evaluator (`chosen`: argparse values instead of defaults). */
function readPython(text: string, fileName: string, options: PythonParseOptions & { readonly chosen?: Readonly<Record<string, string>>; readonly budget?: EvaluationBudget; readonly importPool?: EvaluationBudget }): Reading {
  const problems: ParseProblem[] = [];
  const report = (message: string, range: SourceRange, severity: ParseProblem['severity'] = 'warning'): void => {
    if (!problems.some((p) => p.message === message && p.range.start === range.start)) problems.push({ message, range, severity });
  };
  const templateOf = new Map<ModelGraph, { start: number; end: number }>();
  let evaluator: Evaluator | undefined;
  try {
    evaluator = new Evaluator(text, { ...options, fileName });
    evaluator.run();
  } catch (error) {
    // A bug in the evaluator must not take the editor down: report it and keep what was found.
    report(`Gradient Lens could not read this file (internal error: ${error instanceof Error ? error.message : String(error)}).`, { start: 0, end: 0 }, 'error');
  }
  if (!evaluator) return { models: [], problems, selectors: [], called: new Set(), templateOf, stopped: true };
  for (const p of evaluator.problems) if (!problems.some((q) => q.message === p.message && q.range.start === p.range.start)) problems.push(p);

  const models: ModelGraph[] = [];
  const usedNames = new UniqueNames();
  const signatures = new Set<string>();
  // Titled after the builder that returned it to the run (TS does the same), with the run's branch.
  const titled = runTitles(
    evaluator.models,
    (m) => (m.template ? `${m.returnedBy ?? m.template.fn}${m.template.branch !== undefined ? `[${m.template.branch}]` : ''}` : undefined),
    (m) => (m.template ? `${m.returnedBy ?? m.template.fn}[${m.template.branch ?? ''}]` : undefined),
  );
  for (const model of evaluator.models) {
    const types = model instanceof FunctionalModel ? nodesReaching(model.outputs.map((t) => t.node)).map((n) => n.layer.type) : model.layers.map((l) => l.type);
    if (types.some((t) => PREPROCESSING_TYPES.has(t)) && types.every((t) => t === 'inputLayer' || PREPROCESSING_TYPES.has(t))) {
      // A data pipeline (augmentation, rescaling, lookups): no weights, so no gradient to measure.
      report(`\`${model.name ?? 'model'}\` is a preprocessing pipeline (${[...new Set(types.filter((t) => t !== 'inputLayer'))].join(', ')}): it has no weights, so there is no gradient to measure; it is not analysed as a model (where a model uses it, its layers are read there).`, model.range, 'info');
      continue;
    }
    const first = model instanceof SequentialModel ? model.layers[0] : undefined;
    const noInputShape = first !== undefined && first.type !== 'inputLayer' && !['inputShape', 'batchInputShape', 'inputDim', 'batchShape'].some((k) => first.config[k] !== undefined && first.config[k] !== null);
    if (model instanceof SequentialModel && noInputShape && (model.appliedAt || model.inLayer)) {
      // A block (`ffn = keras.Sequential([Dense, Dense])`) called on a tensor or made by a custom
      // layer: Keras gives it its shape where it is called, and the model that calls it holds
      // its layers; alone it has no input shape.
      report(model.appliedAt
        ? `\`${model.name ?? 'model'}\` declares no input shape and is called on a tensor at line ${lineOf(text, model.appliedAt.start)}: its layers are measured in the model that calls it, not on their own.`
        : `This Sequential is part of the custom layer \`${model.inLayer}\` and declares no input shape: its layers are measured in a model that applies the layer, not on their own.`, model.range, 'info');
      continue;
    }
    let name = model.name ?? 'model';
    if (!model.named) name = titled(model, name);
    // A builder called in a loop (k-fold cross-validation: `for i in range(k): model =
    // build_model()`) builds the same model each time: it is listed and measured once, as the
    // TS front end does. Told apart by where it and its layers are written, and their configs.
    const signature = JSON.stringify([name, model.range.start, model instanceof FunctionalModel ? nodesReaching(model.outputs.map((t) => t.node)).map((n) => [n.layer.type, n.layer.range.start, n.layer.config]) : model.layers.map((l) => [l.type, l.range.start, l.config]), model.compile ? toCompileInfo(model.compile) : null]);
    if (signatures.has(signature)) {
      report(`\`${name}\` is built here more than once with the same layers and compile (a loop, as in k-fold cross-validation): it is listed and measured once.`, model.range, 'info');
      continue;
    }
    signatures.add(signature);
    name = usedNames.take(name);
    try {
      const graph = toGraph(model, name, evaluator, report);
      if (finishGraph(graph, report)) {
        models.push(graph);
        if (model.template) templateOf.set(graph, { start: model.template.start, end: model.template.def.to });
      }
    } catch (error) {
      report(`Could not read model \`${name}\` (internal error: ${error instanceof Error ? error.message : String(error)}).`, model.range, 'error');
    }
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models, problems, selectors: [...evaluator.selectors.values()], called: evaluator.calledOutsideTemplates, templateOf, stopped: evaluator.stopped || evaluator.stepLimited };
}

type Report = (message: string, range: SourceRange, severity?: ParseProblem['severity']) => void;

function toGraph(model: ModelValue, name: string, evaluator: Evaluator, report: Report): ModelGraph {
  const functional = model instanceof FunctionalModel;
  const nodes = functional ? nodesReaching(model.outputs.map((t) => t.node)) : model.layers.map((layer, order) => ({ layer, order }));
  const nextId = layerIds();
  const ids = new Map<unknown, string>();
  const layers: LayerNode[] = [];
  for (const node of nodes) {
    const layer: LayerValue = node.layer;
    const id = nextId(layer.type, layer.config.name);
    ids.set(node, id);
    const inbound = functional
      ? (node as GraphNode).inbound.map((n) => ids.get(n)!)
      : layers.length ? [layers[layers.length - 1]!.id] : [];
    const activation = typeof layer.config.activation === 'string' ? layer.config.activation : undefined;
    layers.push({
      id,
      type: layer.type,
      known: layer.known,
      config: { ...layer.config },
      configRanges: { ...layer.configRanges },
      ...(layer.configRange ? { configRange: layer.configRange } : {}),
      range: layer.range,
      ...(layer.iteration ? { iteration: layer.iteration } : {}),
      ...(layer.partOf ? { partOf: layer.partOf } : {}),
      inbound,
      ...(functional && (node as GraphNode).inboundIndex ? { inboundOutputs: (node as GraphNode).inboundIndex! } : {}),
      ...(activation !== undefined ? { activation } : {}),
      // Weightless preprocessing tfjs lacks: an identity stands in (kerasApi IDENTITY_STAND_INS).
      ...(IDENTITY_STAND_IN_TYPES.has(layer.type) ? { custom: { className: layer.type.charAt(0).toUpperCase() + layer.type.slice(1), output: 'same' as const } } : {}),
    });
  }
  let inputs = functional
    ? model.inputs.map((t) => ids.get(t.node)).filter((id): id is string => !!id)
    : layers.length ? [layers[0]!.id] : [];
  // A backbone that is not read stands in as an input the declared inputs do not reach.
  if (functional && inputs.length < model.inputs.length) inputs = layers.filter((l) => l.type === 'inputLayer' && l.inbound.length === 0).map((l) => l.id);
  const outputs = functional
    ? model.outputs.map((t) => (t.index === 0 ? ids.get(t.node) : undefined)).filter((id): id is string => !!id)
    : layers.length ? [layers[layers.length - 1]!.id] : [];
  const inputHole = functional ? undefined : askInputShape(layers[0], model, name, evaluator, report, layers);
  for (const id of inputs) chooseFreeLengths(layers.find((l) => l.id === id), report, layers);
  const firstInput = layers.find((layer) => layer.id === inputs[0]);
  const inputShape = firstInput ? declaredInputShape(firstInput) : undefined;
  const compile = model.compile ? toCompileInfo(model.compile) : undefined;
  const flow: Hole[] = evaluator.flowHoles
    .filter((h) => h.model === model)
    .map((h) => flowHole(h.name, h.role, evaluator.holeRanges.get(h.name) ?? model.range, 'py', h.suggestion));
  const holes = mergeHoles([...(inputHole ? [inputHole] : []), ...collectHoles(layers, compile, evaluator, model.range), ...flow]);
  const annotation = holes.length || model.template ? evaluator.annotationSite(model.range, model.template?.def) : undefined;
  const batchSize = statefulBatch(layers);
  if (batchSize) report(`A stateful recurrent layer fixes the batch: the run uses batches of ${batchSize}, as the model declares.`, model.range, 'info');
  return {
    name,
    kind: functional ? 'functional' : 'sequential',
    range: model.range,
    layers,
    inputs,
    outputs,
    ...(inputShape ? { inputShape } : {}),
    ...(compile ? { compile } : {}),
    ...(holes.length ? { holes } : {}),
    ...(annotation ? { annotation } : {}),
    ...(batchSize ? { batchSize } : {}),
    ...(model.template ? { builder: model.template.fn } : {}),
  };
}

const INPUT_KEYS = ['inputShape', 'batchInputShape', 'inputDim', 'batchShape', 'shape'];

function toShapeValue(value: unknown): number[] | undefined {
  const list = typeof value === 'number' ? [value] : value;
  return Array.isArray(list) && list.length && list.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0) ? (list as number[]) : undefined;
}


/**
 * The input shape (without batch) a later layer of a Sequential declares when every layer before
 * it keeps its input's shape (`BatchNormalization()` then `Dense(64, input_dim=16)`): Keras ignores
 * the declaration there, but it is the author's stated input, so the best suggestion for the hole.
 */
function declaredLater(first: LayerNode, layers: readonly LayerNode[]): { layer: string; shape: number[] } | undefined {
  if (!keepsShape(first.type)) return undefined;
  for (const layer of layers.slice(1)) {
    const c = layer.config;
    const shape = typeof c.inputDim === 'number' ? [c.inputDim] : Array.isArray(c.inputShape) ? c.inputShape : Array.isArray(c.batchInputShape) ? c.batchInputShape.slice(1) : undefined;
    if (shape) return shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0) ? { layer: layer.id, shape: shape as number[] } : undefined;
    if (!keepsShape(layer.type)) return undefined;
  }
  return undefined;
}

/**
 * A Sequential model whose first layer declares no input shape (Keras infers it at `fit`): the
 * shape `fit` is given when the script states it, else a hole `<model>.input_shape` (it decides
 * every shape, so it blocks), suggested from an array the script makes, if any.
 */
function askInputShape(first: LayerNode | undefined, model: ModelValue, name: string, evaluator: Evaluator, report: Report, layers: readonly LayerNode[]): Hole | undefined {
  if (!first) return undefined;
  // toGraph made this config (a copy): completing it here is safe.
  const config = first.config as Record<string, ConfigValue>;
  if (first.type === 'inputLayer' || INPUT_KEYS.some((k) => first.config[k] !== undefined && first.config[k] !== null)) return undefined;
  if (first.type === 'embedding' && first.config.inputDim !== undefined) return undefined;
  const holeName = `${model.name ?? name}.input_shape`;
  const filled = evaluator.fillForModel(model, holeName)?.value;
  const given = toShapeValue(filled);
  if (given) {
    config.inputShape = given;
    return undefined;
  }
  if (model.fitShape) {
    config.inputShape = [...model.fitShape.slice(1)];
    report(`\`${first.id}\` declares no input shape; the shape \`${model.fitShapeFrom ?? 'model.fit'}\` is given, (${model.fitShape.slice(1).join(', ')},), is used.`, first.range, 'info');
    return undefined;
  }
  const arrays = evaluator.dataArrays;
  const data = arrays.find((a) => /^x|^inputs?$|^features?|^data|_x$|train$/i.test(a.name) && !/^y/i.test(a.name)) ?? arrays.find((a) => !/^y|label|target/i.test(a.name));
  const role = 'input shape' as const;
  const declared = data ? undefined : declaredLater(first, layers);
  const suggestion = data ? `(${data.shape.slice(1).join(', ')},)` : declared ? `(${declared.shape.join(', ')},)` : holeSuggestion(role, inputShapeDecider(layers) ?? first.type, 'py');
  config.inputShape = { $unknown: holeName, reason: 'the first layer declares no input shape (Keras takes it from the data at fit)', hole: holeName };
  report(
    `\`${first.id}\` declares no input shape (Keras takes it from the data at \`fit\`): give \`${holeName}\` a value, e.g. \`# gradient-lens: ${holeName}=${suggestion}\`${data ? ` (the shape of \`${data.name}\` without its batch)` : declared ? ` (the input shape \`${declared.layer}\` declares; Keras ignores it on a layer that is not first)` : ''}.`,
    first.range, 'warning',
  );
  return { name: holeName, role, range: first.range, usedBy: [`${first.id}.inputShape`], suggestion };
}

function toCompileInfo(record: CompileRecord): CompileInfo {
  return {
    range: record.range,
    configRanges: record.configRanges,
    ...(record.configRange ? { configRange: record.configRange } : {}),
    ...(record.optimizer !== undefined ? { optimizer: record.optimizer } : {}),
    ...(record.loss !== undefined ? { loss: record.loss } : {}),
    ...(record.metrics !== undefined ? { metrics: record.metrics } : {}),
  };
}




/** The named unknowns of a model's configs: what an annotation or `set` would fill. */
function collectHoles(layers: readonly LayerNode[], compile: CompileInfo | undefined, evaluator: Evaluator, fallback: SourceRange): Hole[] {
  const holes: Hole[] = [];
  // `roleKey` is the innermost key: `stddev` inside `kernel_initializer=RandomNormal(stddev=s)`.
  const visit = (value: ConfigValue | undefined, layerType: string, where: string, roleKey: string, index?: number, length?: number): void => {
    if (value === undefined || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, layerType, where, roleKey, i, value.length));
      return;
    }
    if (isUnknownValue(value)) {
      if (!value.hole) return;
      const role = holeRole(layerType, roleKey, index, length);
      const judgedBy = role === 'input shape' && where.startsWith(`${layers[0]?.id}.`) ? inputShapeDecider(layers) ?? layerType : layerType;
      let suggestion = holeSuggestion(role, judgedBy, 'py');
      // `input_shape=x.shape[1:]` fills the hole `x.shape`, batch included: suggest one with a batch.
      if (role === 'input shape' && value.hole.endsWith('.shape') && /\.shape\s*\[\s*1\s*:\s*\]$/.test(value.$unknown) && suggestion.startsWith('(')) suggestion = `(32, ${suggestion.slice(1).replace(/,\)$/, ')')}`;
      holes.push({ name: value.hole, role, range: evaluator.holeRanges.get(value.hole) ?? fallback, usedBy: [where], suggestion });
      return;
    }
    if ('$call' in value) {
      for (const arg of (value as { args: readonly ConfigValue[] }).args) visit(arg, layerType, where, '');
      return;
    }
    for (const [key, v] of Object.entries(value)) visit(v as ConfigValue, layerType, where, key);
  };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer.config)) visit(value, layer.type, `${layer.id}.${key}`, key);
  }
  if (compile) {
    visit(compile.optimizer, 'compile', 'compile.optimizer', 'optimizer');
    visit(compile.loss, 'compile', 'compile.loss', 'loss');
  }
  return mergeHoles(holes);
}

/** 1-based line of `offset` in `text`. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
