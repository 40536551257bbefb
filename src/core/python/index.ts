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
import { declaredInputShape, finishGraph, layerIds, nodesReaching } from '../graph';
import { holeRole, holeSuggestion, mergeHoles } from '../holes';
import { Evaluator, FunctionalModel, type CompileRecord, type GraphNode, type LayerValue, type ModelValue } from './evaluator';

export interface PythonParseOptions {
  /** Values for template parameters (or access chains) by name, as Python expression text. */
  readonly set?: Readonly<Record<string, string>>;
  /** The same, for one builder function's models only, by function name. */
  readonly setFor?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Wall-clock limit of evaluating the file, in ms. */
  readonly timeMs?: number;
}

/** Parses `text` (a Python file) and returns its Keras models and problems. */
export function parsePythonModels(text: string, fileName = 'model.py', options: PythonParseOptions = {}): ParseResult {
  void fileName; // kept for symmetry with parseModels; Python files need no script kind
  const problems: ParseProblem[] = [];
  const report = (message: string, range: SourceRange, severity: ParseProblem['severity'] = 'warning'): void => {
    if (!problems.some((p) => p.message === message && p.range.start === range.start)) problems.push({ message, range, severity });
  };
  let evaluator: Evaluator | undefined;
  try {
    evaluator = new Evaluator(text, options);
    evaluator.run();
  } catch (error) {
    // A bug in the evaluator must not take the editor down: report it and keep what was found.
    report(`Gradient Lens could not read this file (internal error: ${error instanceof Error ? error.message : String(error)}).`, { start: 0, end: 0 }, 'error');
  }
  if (!evaluator) return { models: [], problems };
  for (const p of evaluator.problems) report(p.message, p.range, p.severity);

  const models: ModelGraph[] = [];
  const usedNames = new Map<string, number>();
  const perRun = new Map<string, number>();
  const runKey = (m: ModelValue): string => (m.template ? `${m.template.fn}[${m.template.branch ?? ''}]` : '');
  for (const model of evaluator.models) if (model.template) perRun.set(runKey(model), (perRun.get(runKey(model)) ?? 0) + 1);
  for (const model of evaluator.models) {
    let name = model.name ?? 'model';
    if (model.template) {
      const base = model.template.branch !== undefined ? `${model.template.fn}[${model.template.branch}]` : model.template.fn;
      name = (perRun.get(runKey(model)) ?? 0) > 1 ? `${base}.${name}` : base;
    }
    const seen = usedNames.get(name) ?? 0;
    usedNames.set(name, seen + 1);
    if (seen) name = `${name} (${seen + 1})`;
    try {
      const graph = toGraph(model, name, evaluator);
      if (finishGraph(graph, report)) models.push(graph);
    } catch (error) {
      report(`Could not read model \`${name}\` (internal error: ${error instanceof Error ? error.message : String(error)}).`, model.range, 'error');
    }
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models, problems };
}


function toGraph(model: ModelValue, name: string, evaluator: Evaluator): ModelGraph {
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
    });
  }
  const inputs = functional
    ? model.inputs.map((t) => ids.get(t.node)).filter((id): id is string => !!id)
    : layers.length ? [layers[0]!.id] : [];
  const outputs = functional
    ? model.outputs.map((t) => (t.index === 0 ? ids.get(t.node) : undefined)).filter((id): id is string => !!id)
    : layers.length ? [layers[layers.length - 1]!.id] : [];
  const firstInput = layers.find((layer) => layer.id === inputs[0]);
  const inputShape = firstInput ? declaredInputShape(firstInput) : undefined;
  const compile = model.compile ? toCompileInfo(model.compile) : undefined;
  const flow: Hole[] = evaluator.flowHoles
    .filter((h) => h.model === model)
    .map((h) => ({
      name: h.name,
      role: h.role,
      range: evaluator.holeRanges.get(h.name) ?? model.range,
      usedBy: [h.role === 'repeat count' ? 'how many layers a loop adds' : h.role === 'condition' ? 'which layers are built' : 'the layers a loop adds'],
      suggestion: holeSuggestion(h.role, '', 'py'),
    }));
  const holes = mergeHoles([...collectHoles(layers, compile, evaluator, model.range), ...flow]);
  const annotation = holes.length || model.template ? evaluator.annotationSite(model.range, model.template?.def) : undefined;
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
    ...(model.template ? { builder: model.template.fn } : {}),
  };
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
      holes.push({ name: value.hole, role, range: evaluator.holeRanges.get(value.hole) ?? fallback, usedBy: [where], suggestion: holeSuggestion(role, layerType, 'py') });
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
