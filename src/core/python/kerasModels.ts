/**
 * Keras models and layers: the Keras API call dispatch (layers, `Input`, `Sequential`,
 * `Model`, merge functions, Keras 1 spellings, `keras.applications` backbones, `keras.backend`
 * queries, datasets), making a layer (arguments by Keras signature, keys in tfjs spelling),
 * applying layers and models to symbolic tensors, and adding layers or models to a Sequential.
 */
import type { SyntaxNode } from '@lezer/common';
import { nodesReaching } from '../graph';
import type { ConfigValue, PropertyRange, SourceRange } from '../ir';
import { layerLimitMessage, PARSE_LIMITS, ParseLimitError } from '../limits';
import { LAYER_FACTORIES } from '../parse/tfjsApi';
import {
  BACKBONES, IDENTITY_STAND_INS, KERAS1_KEYWORDS, PREPROCESSING_TYPES, KERAS1_MERGE_MODES, KERAS_LAYERS, MERGE_FUNCTIONS, SEQUENCE_LAYERS,
  kerasPath, tf1Optimizer, tfjsConstraint, tfjsInitializer, tfjsKey, tfjsLoss, tfjsMetric, tfjsRegularizer,
} from './kerasApi';
import { KerasConfigEvaluator } from './kerasConfig';
import { lambdaAffine } from './lambdaAffine';
import { callPure, kerasDataset, PURE_MODULES } from './pyLibraries';
import { savedModelConfig, type SavedLayer, type SavedModelConfig } from './savedModel';
import { rangeOf, snippet } from './syntax';
import {
  Backbone, ConfigResult, FunctionalModel, LayerValue, NdArray, PyDict, PyModule, SequentialModel, TensorValue, Unknown,
  describe, truthy, type Arg, type Args, type GraphNode, type ModelValue, type Value,
} from './values';

/** Evaluation steps one layer costs (measured: a 5,000-layer reading took ~0.4 s, ~30-50 times its steps' share). */
const LAYER_STEPS = 30;

export abstract class KerasModelEvaluator extends KerasConfigEvaluator {
  private saidChannelsLast = false;
  private saidKeras1 = false;
  private readonly overLimit = new WeakSet<SequentialModel>();

  protected override addToSequential(model: SequentialModel, value: Value, at: SourceRange): void {
    if (model.layers.length >= PARSE_LIMITS.maxLayersPerModel) {
      // Said once per model, at the first layer refused.
      if (this.overLimit.has(model)) return;
      this.overLimit.add(model);
      throw new ParseLimitError(layerLimitMessage(), at, 'statement');
    }
    if (value instanceof LayerValue) model.layers.push(value);
    else if (value instanceof Backbone && model.layers.length === 0) model.layers.push(this.asInputLayer(value.output.node.layer));
    else if (value instanceof Backbone && model.layers.every((l) => l.type === 'inputLayer' || PREPROCESSING_TYPES.has(l.type))) {
      // `Sequential([Input, Rescaling, backbone, head...])`: the backbone is not read, so the
      // head is analysed on its output, as for a backbone that comes first; the input's
      // preprocessing before it has no weights.
      const before = model.layers.filter((l) => l.type !== 'inputLayer').map((l) => l.type);
      if (before.length) this.problem(`The preprocessing before the backbone \`${value.name}\` (${before.join(', ')}) has no weights; the model is analysed from the backbone's output.`, at, 'info');
      model.layers.splice(0, model.layers.length, this.asInputLayer(value.output.node.layer));
    }
    else if (value instanceof TensorValue && value.node.layer.type === 'inputLayer') model.layers.push(this.asInputLayer(value.node.layer));
    else if (value instanceof SequentialModel || value instanceof FunctionalModel) this.addModel(model, value, at);
    else {
      const reason = value instanceof Unknown ? value.reason : describe(value);
      this.problem(`\`${snippet(this.src.slice(at.start, at.end), 80)}\` is not a layer the parser could read (${reason}); it is left out of the model.`, at, 'warning', true);
    }
  }

  /** A model added to a Sequential is read as its layers, inlined and marked with its name. */
  protected addModel(outer: SequentialModel, inner: ModelValue, at: SourceRange): void {
    const name = inner.name ?? 'model';
    if (inner === outer) {
      this.problem('A model cannot be added to itself.', at, 'warning');
      return;
    }
    const layers = inner instanceof SequentialModel ? [...inner.layers] : nodesReaching(inner.outputs.map((t) => t.node)).map((n) => n.layer);
    if (inner instanceof FunctionalModel) {
      const nodes = nodesReaching(inner.outputs.map((t) => t.node));
      const chain = inner.inputs.length === 1 && inner.outputs.length === 1 && nodes.every((n) => n.inbound.length <= 1 && nodes.filter((m) => m.inbound.includes(n)).length <= 1);
      if (!chain) {
        this.problem(`\`${name}\` has branches; adding it to a Sequential model is not read (call it on a tensor in a functional model instead).`, at, 'warning');
        return;
      }
    }
    if (outer.layers.length + layers.length > PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), at, 'statement');
    for (const layer of layers) if (layer.type !== 'inputLayer' || outer.layers.length === 0) outer.layers.push(layer.inlined(name));
  }

  /** A model called on tensors: its layers are replayed on them, inlined and marked with its name. */
  protected override applyModel(model: ModelValue, args: Args, site: SyntaxNode): Value {
    const input = args.positional[0]?.value ?? args.keywords.get('inputs')?.value;
    const given = Array.isArray(input) ? input : [input];
    if (!given.length || !given.every((v): v is TensorValue => v instanceof TensorValue)) {
      const unknown = given.find((v): v is Unknown => v instanceof Unknown);
      return new Unknown(this.t(site), unknown ? unknown.reason : 'model called on a value that is not a tensor', unknown?.hole);
    }
    const name = model.name ?? 'model';
    if (model instanceof SequentialModel) {
      model.appliedAt ??= rangeOf(site);
      let current = given[0]!;
      for (const layer of model.layers) {
        if (layer.type === 'inputLayer') continue;
        current = new TensorValue({ layer: layer.inlined(name), inbound: [current.node], order: this.nodeOrder++ });
      }
      return current;
    }
    if (given.length !== model.inputs.length) {
      this.problem(`\`${name}\` takes ${model.inputs.length} inputs but is called on ${given.length}.`, rangeOf(site), 'warning');
      return new Unknown(this.t(site), 'model called on the wrong number of inputs');
    }
    const copies = new Map<GraphNode, GraphNode>();
    model.inputs.forEach((tensor, i) => copies.set(tensor.node, given[i]!.node));
    for (const node of nodesReaching(model.outputs.map((t) => t.node))) {
      if (copies.has(node)) continue;
      copies.set(node, { layer: node.layer.inlined(name), inbound: node.inbound.map((n) => copies.get(n)!), order: this.nodeOrder++ });
    }
    const outputs = model.outputs.map((t) => new TensorValue(copies.get(t.node)!));
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  /** `keras.Input(shape=...)` placed in a Sequential: tfjs' `inputLayer` reads `inputShape`. */
  protected asInputLayer(layer: LayerValue): LayerValue {
    const rename = (key: string): string => (key === 'shape' ? 'inputShape' : key === 'batchShape' ? 'batchInputShape' : key);
    return new LayerValue(
      'inputLayer', true,
      Object.fromEntries(Object.entries(layer.config).map(([k, v]) => [rename(k), v])),
      Object.fromEntries(Object.entries(layer.configRanges).map(([k, v]) => [rename(k), v])),
      layer.configRange, layer.range, layer.iteration,
    );
  }

  // ----- the Keras API

  protected override callApi(module: PyModule, args: Args, site: SyntaxNode): Value {
    const flag = /^DEFINE_(string|enum|integer|float|bool|boolean|list)$/.exec(module.path[module.path.length - 1] ?? '');
    if (flag && module.path.includes('flags')) return this.defineFlag(flag[1]!, args, site);
    if (PURE_MODULES.has(module.path[0]!)) return callPure(module.path, args, this.t(site));
    const tf1 = tf1Optimizer(module.path);
    if (tf1) return this.optimizer(['optimizers', tf1], args, site, module.path.join('.'));
    const path = kerasPath(module.path);
    const what = module.path.join('.');
    if (!path || path.length === 0) return new Unknown(this.t(site), `\`${what}(...)\` is not evaluated`);
    const last = path[path.length - 1]!;
    const first = path[0]!;
    // Old Keras exports Input from keras.models too.
    if (last === 'Input' && (path.length === 1 || first === 'layers' || first === 'engine' || first === 'models')) return this.input(args, site);
    if (first === 'backend' && path.length === 2) return this.backend(last, args, site);
    if (first === 'datasets' && last === 'load_data' && path.length === 3) return kerasDataset(path[1]!, this.t(site));
    if (first === 'utils' && (last === 'to_categorical')) {
      const y = args.positional[0]?.value;
      const classes = args.positional[1]?.value ?? args.keywords.get('num_classes')?.value;
      if (y instanceof NdArray && typeof classes === 'number') return new NdArray([y.shape[0] ?? 1, classes]);
      return new Unknown(this.t(site), 'the number of classes is not a constant');
    }
    if (first === 'applications') return this.application(path, args, site);
    if (last === 'load_model' && (path.length === 1 || first === 'models' || first === 'saving')) return this.loadModel(args, site);
    if (last === 'Sequential' && (path.length === 1 || first === 'models')) return this.sequential(args, site);
    if (last === 'Model' && (path.length === 1 || first === 'models')) return this.functional(args, site);
    if (first === 'layers' || path.length === 1) {
      const spec = KERAS_LAYERS[last];
      if (spec) return this.makeLayer(spec.type, true, spec.positional, this.keras1Args(spec.type, last, module.path[0] !== 'tensorflow', args, site), site);
      if ((last === 'merge' || last === 'Merge') && first === 'layers') return this.keras1Merge(last, args, site);
      const merge = MERGE_FUNCTIONS[last];
      if (merge) {
        const [inputs, ...rest] = args.positional;
        const layer = this.makeLayer(merge, true, [], { ...args, positional: rest }, site);
        return this.applyLayer(layer, { positional: inputs ? [inputs] : [], keywords: new Map() }, site);
      }
      if (first === 'layers' && last === 'Lambda') {
        const fn = args.positional[0] ?? args.keywords.get('function');
        const affine = fn?.valueRange ? lambdaAffine(this.text.slice(fn.valueRange.start, fn.valueRange.end)) : undefined;
        if (affine) {
          const keywords = new Map([...args.keywords].filter(([k]) => !['function', 'output_shape', 'arguments', 'mask'].includes(k)));
          keywords.set('scale', { value: affine.scale });
          keywords.set('offset', { value: affine.offset });
          this.problem(`This \`Lambda\` is an elementwise affine map: read as \`Rescaling(scale=${affine.scale.toPrecision(4).replace(/\.?0+$/, '')}, offset=${affine.offset.toPrecision(4).replace(/\.?0+$/, '')})\`, which computes the same.`, rangeOf(site), 'info');
          return this.makeLayer('rescaling', true, [], { positional: [], keywords }, site);
        }
      }
      const standIn = first === 'layers' || path.length === 1 ? IDENTITY_STAND_INS.get(last) : undefined;
      if (standIn) {
        this.problem(standIn, rangeOf(site), 'info');
        return this.makeLayer(last.charAt(0).toLowerCase() + last.slice(1), false, [], { ...args, positional: [] }, site, true);
      }
      if (first === 'layers' && /^[A-Z]/.test(last)) {
        const why = last === 'Lambda'
          ? '`Lambda` layers run Python code, which Gradient Lens does not evaluate'
          : `\`${last}\` has no tfjs twin that Gradient Lens knows`;
        this.problem(`${why}; it is kept as an opaque layer (shapes after it are unknown).`, rangeOf(site), 'warning');
        const type = last.charAt(0).toLowerCase() + last.slice(1);
        return this.makeLayer(type, LAYER_FACTORIES.has(type), [], { ...args, positional: [] }, site, true);
      }
    }
    if (first === 'initializers' && path.length === 2) return this.initializer(last, args, site);
    if (first === 'regularizers' && path.length === 2) return this.regularizer(last, args, site);
    if (first === 'constraints' && path.length === 2) return this.constraint(last, args, site);
    if (first === 'optimizers') return this.optimizer(path, args, site);
    if (first === 'losses' && path.length === 2) {
      const loss = tfjsLoss(last);
      if (!loss) return new Unknown(this.t(site), `tfjs has no \`${last}\` loss`);
      const delta = args.keywords.get('delta')?.value;
      if (loss === 'huber' && delta !== undefined && delta !== 1) {
        this.problem(`\`delta\` of the Huber loss is measured as Keras' default 1.0.`, args.keywords.get('delta')!.property!, 'info');
      }
      if (args.keywords.get('from_logits')?.value === true) {
        this.problem('`from_logits=True`: tfjs losses take probabilities, so the loss is read as if the model ended in softmax/sigmoid.', args.keywords.get('from_logits')!.property!, 'info');
      }
      return new ConfigResult('loss', loss);
    }
    if (first === 'metrics' && path.length === 2) return new ConfigResult('metric', tfjsMetric(last));
    return new Unknown(this.t(site), `\`${what}(...)\` is not evaluated`);
  }

  /**
   * A `keras.applications` backbone: its layers are not read (hundreds of pretrained layers).
   * It becomes an input standing for its output, so the head built on it is analysed on that
   * feature map; a problem on the line says so. Output shape: the feature channels of the
   * architecture at input size / 32 (rounded up), or the pooled / classifier vector.
   */
  protected application(path: readonly string[], args: Args, site: SyntaxNode): Value {
    const name = path[path.length - 1]!;
    const spec = BACKBONES[name];
    if (!spec) return new Unknown(this.t(site), `\`keras.applications.${name}(...)\` is not evaluated`);
    const kw = (k: string): Value | undefined => args.keywords.get(k)?.value;
    let size: Value[] | undefined;
    const tensor = kw('input_tensor');
    if (tensor instanceof TensorValue) {
      const c = tensor.node.layer.config;
      const shape = c.shape ?? c.inputShape;
      if (Array.isArray(shape)) size = shape as Value[];
    }
    const given = kw('input_shape');
    if (Array.isArray(given)) size = given;
    const includeTop = truthy(kw('include_top') ?? true) !== false;
    const pooling = kw('pooling');
    const [h, w] = [size?.[0], size?.[1]].map((d) => (typeof d === 'number' ? d : spec.size));
    const classes = typeof kw('classes') === 'number' ? (kw('classes') as number) : 1000;
    const shape: number[] = includeTop ? [classes] : pooling === 'avg' || pooling === 'max' ? [spec.channels] : [Math.ceil(h! / 32), Math.ceil(w! / 32), spec.channels];
    this.problem(
      `\`${name}\` (keras.applications) is a pretrained backbone Gradient Lens does not read; layers built on it are analysed on its output, a (${shape.join(', ')}${shape.length === 1 ? ',' : ''}) ${shape.length > 1 ? 'feature map' : 'vector'}, as the model's input.`,
      rangeOf(site), 'warning',
    );
    const layer = new LayerValue('inputLayer', true, { shape }, {}, args.list ? rangeOf(args.list) : undefined, rangeOf(site), undefined);
    const out = new TensorValue({ layer, inbound: [], order: this.nodeOrder++ });
    return new Backbone(name, out);
  }

  /**
   * `load_model('model.h5')`: the architecture Keras saved in the file (savedModel.ts), read
   * from the file beside this one (Keras resolves a relative path against the working
   * directory; scripts are run from their folder) when the host can read files. Every layer is
   * made as its constructor call would make it, on the call's range; the saved weights are not
   * read (the model is measured at a fresh initialization by its own initializers), and a
   * problem on the line says so. Unknown when the path is not a constant, the file is not
   * readable, or holds no config this reads (a nested model, a Keras 3 `.keras` archive).
   */
  protected loadModel(args: Args, site: SyntaxNode): Value {
    const at = rangeOf(site);
    const given = (args.positional[0] ?? args.keywords.get('filepath'))?.value;
    const unknown = (why: string, severity: 'info' | 'warning' = 'warning'): Value => {
      this.problem(`\`${snippet(this.t(site), 80)}\`: ${why}, so the model it loads is not read.`, at, severity);
      return new Unknown(this.t(site), why);
    };
    if (typeof given !== 'string') return unknown('the path is not a constant');
    const { readFile, fileName } = this.options;
    if (!readFile || !fileName) return unknown('files beside this one are not read here', 'info');
    const absolute = /^(?:[A-Za-z]:)?[\\/]/.test(given);
    const cut = Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\'));
    const beside = (name: string): string => fileName.slice(0, cut + 1) + name.replace(/^\.[\\/]/, '');
    // Saved by this file, or loaded again (a loop that retrains it): the same model, read once.
    const cached = this.savedModels.get(given);
    if (cached) return cached;
    let text = readFile(absolute ? given : beside(given), { prefix: true });
    // An absolute path from the author's machine: the file of that name beside this one.
    const base = given.slice(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1);
    const fallback = absolute && text === undefined && base !== '';
    if (fallback) text = readFile(beside(base), { prefix: true });
    if (text === undefined) return unknown(`\`${given}\` was not found${absolute ? ` (nor \`${base}\` beside this file)` : ' beside this file'}`);
    if (typeof text !== 'string') return unknown(text.reason);
    const saved = savedModelConfig(text);
    if (!saved) return unknown(`no Keras model config was found in \`${given}\` (a Keras 2 \`.h5\` file has one; a \`.keras\` archive's is compressed)`);
    const model = saved.className === 'Sequential' ? this.savedSequential(saved, site) : this.savedFunctional(saved, site);
    if (model instanceof Unknown) return unknown(model.reason);
    this.problem(
      `Read the architecture saved in \`${fallback ? base : given}\`${fallback ? ' beside this file' : ''} (${saved.layers.length} layers); its saved weights are not read: the model is measured from a fresh initialization by its own initializers.`,
      at, 'info',
    );
    this.savedModels.set(given, model);
    this.keepModel(model);
    return model;
  }

  /** A saved layer as its constructor call: config keys as keywords (Keras' names), nested objects as their factory calls. */
  private savedLayer(layer: SavedLayer, site: SyntaxNode, first: boolean): LayerValue | Unknown {
    const spec = KERAS_LAYERS[layer.class_name];
    if (!spec) return new Unknown(this.t(site), `the saved layer class \`${layer.class_name}\` has no tfjs twin that Gradient Lens knows`);
    const keywords = new Map<string, Arg>();
    for (const [key, raw] of Object.entries(layer.config)) {
      if (raw === null || ['name', 'trainable', 'dtype', 'batch_input_shape', 'sparse', 'ragged'].includes(key)) continue;
      const value = this.savedValue(raw, site);
      if (value !== undefined) keywords.set(key, { value });
    }
    const shape = layer.config.batch_input_shape;
    if (first && Array.isArray(shape) && spec.type !== 'inputLayer') keywords.set('input_shape', { value: shape.slice(1) as Value[] });
    if (spec.type === 'inputLayer' && Array.isArray(shape)) keywords.set('shape', { value: shape.slice(1) as Value[] });
    return this.makeLayer(spec.type, true, [], { positional: [], keywords }, site, false, spec.type === 'inputLayer' ? { shape: 'shape' } : {});
  }

  /** A config value as the evaluator's: `{class_name, config}` objects become their factory calls (initializers, regularizers, constraints). */
  private savedValue(raw: unknown, site: SyntaxNode): Value | undefined {
    if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') return raw;
    if (Array.isArray(raw)) return raw.map((v) => this.savedValue(v, site) ?? null);
    if (typeof raw !== 'object' || raw === null) return undefined;
    const object = raw as { class_name?: unknown; config?: unknown };
    if (typeof object.class_name !== 'string' || typeof object.config !== 'object' || object.config === null) return undefined;
    const keywords = new Map<string, Arg>();
    for (const [key, v] of Object.entries(object.config as Record<string, unknown>)) {
      const value = v === null ? undefined : this.savedValue(v, site);
      if (value !== undefined) keywords.set(key, { value });
    }
    const args: Args = { positional: [], keywords };
    for (const make of [
      (n: string) => (tfjsInitializer(n) ? this.initializer(n, args, site) : undefined),
      (n: string) => (tfjsRegularizer(n) ? this.regularizer(n, args, site) : undefined),
      (n: string) => (tfjsConstraint(n) ? this.constraint(n, args, site) : undefined),
    ]) {
      const made = make(object.class_name);
      if (made !== undefined) return made;
    }
    return undefined;
  }

  private savedSequential(saved: SavedModelConfig, site: SyntaxNode): SequentialModel | Unknown {
    const model = new SequentialModel(rangeOf(site));
    let shape: unknown;
    let first = true;
    for (const layer of saved.layers) {
      if (layer.class_name === 'InputLayer') {
        shape = layer.config.batch_input_shape;
        continue;
      }
      const withShape = first && shape !== undefined && layer.config.batch_input_shape === undefined ? { ...layer, config: { ...layer.config, batch_input_shape: shape } } : layer;
      const made = this.savedLayer(withShape, site, first);
      if (made instanceof Unknown) return made;
      this.addToSequential(model, made, rangeOf(site));
      first = false;
    }
    return model;
  }

  private savedFunctional(saved: SavedModelConfig, site: SyntaxNode): FunctionalModel | Unknown {
    const outputsOf = new Map<string, TensorValue>();
    const inputs: TensorValue[] = [];
    const ref = (link: unknown): TensorValue | undefined => (Array.isArray(link) && typeof link[0] === 'string' ? outputsOf.get(link[0]) : undefined);
    for (const layer of saved.layers) {
      const name = typeof layer.name === 'string' ? layer.name : String(layer.config.name);
      const made = this.savedLayer(layer, site, false);
      if (made instanceof Unknown) return made;
      if (layer.class_name === 'InputLayer') {
        const tensor = new TensorValue({ layer: made, inbound: [], order: this.nodeOrder++ });
        outputsOf.set(name, tensor);
        inputs.push(tensor);
        continue;
      }
      const nodes = layer.inbound_nodes ?? [];
      // One call per layer (a layer shared by two calls is not read).
      if (nodes.length !== 1 || !Array.isArray(nodes[0])) return new Unknown(this.t(site), `the saved layer \`${name}\` is called ${nodes.length} times (shared layers are not read from a saved file)`);
      const from = (nodes[0] as unknown[]).map(ref);
      if (!from.length || from.some((t) => t === undefined)) return new Unknown(this.t(site), `the inputs of the saved layer \`${name}\` were not read`);
      const input: Value = from.length === 1 ? from[0]! : (from as TensorValue[]);
      const out = this.applyLayer(made, { positional: [{ value: input }], keywords: new Map() }, site);
      if (!(out instanceof TensorValue)) return new Unknown(this.t(site), `the saved layer \`${name}\` gives more than one tensor`);
      outputsOf.set(name, out);
    }
    const outputs = (saved.outputLayers ?? []).map(ref);
    if (!outputs.length || outputs.some((t) => t === undefined)) return new Unknown(this.t(site), 'the saved model\'s outputs were not read');
    return new FunctionalModel(rangeOf(site), inputs, outputs as TensorValue[]);
  }

  /**
   * `keras.backend` queries that steer model code. The image layout is assumed channels-last
   * (Keras' default, and what tfjs trains fastest) and said once per file.
   */
  protected backend(name: string, args: Args, site: SyntaxNode): Value {
    if (name === 'image_data_format' || name === 'image_dim_ordering') {
      if (!this.saidChannelsLast) {
        this.saidChannelsLast = true;
        this.problem(`\`${this.t(site)}\` is read as channels-last (Keras' default); shapes follow that branch.`, rangeOf(site), 'info');
      }
      return name === 'image_data_format' ? 'channels_last' : 'tf';
    }
    if (name === 'floatx') return 'float32';
    if (name === 'epsilon') return 1e-7;
    if (['set_image_data_format', 'set_image_dim_ordering', 'clear_session', 'set_floatx', 'set_epsilon', 'set_learning_phase'].includes(name)) return null;
    void args;
    return new Unknown(this.t(site), `\`keras.backend.${name}(...)\` is not evaluated`);
  }

  protected input(args: Args, site: SyntaxNode): Value {
    // Keys as tf.input takes them (`shape`, `batchShape`), not as the inputLayer class does.
    const layer = this.makeLayer('inputLayer', true, ['shape', 'batch_size', 'name', 'dtype'], args, site, false, { shape: 'shape', batch_shape: 'batchShape' });
    return new TensorValue({ layer, inbound: [], order: this.nodeOrder++ });
  }

  /** Keras' `name=` names the model: it wins over the variable it is bound to. */
  protected nameModel(model: ModelValue, args: Args): void {
    const name = args.keywords.get('name')?.value;
    if (typeof name === 'string' && name) {
      model.name = name;
      model.nameDepth = -1;
      model.named = true;
    }
  }

  protected sequential(args: Args, site: SyntaxNode): Value {
    const model = new SequentialModel(rangeOf(site));
    if (this.customLayers.length) model.inLayer = this.customLayers[this.customLayers.length - 1];
    if (this.templateFills) model.fills = this.templateFills;
    this.nameModel(model, args);
    const layersArg = args.positional[0] ?? args.keywords.get('layers');
    if (layersArg && layersArg.value !== null) {
      const list = layersArg.value;
      const at = layersArg.valueRange ?? rangeOf(site);
      try {
        if (Array.isArray(list)) for (const item of list) this.addToSequential(model, item, at);
        else this.addToSequential(model, list, at);
      } catch (error) {
        // A list longer than the layer limit: the model keeps the layers up to it.
        if (!(error instanceof ParseLimitError)) throw error;
        this.problem(error.message, error.range ?? at, 'warning');
      }
    }
    this.keepModel(model);
    return model;
  }

  protected functional(args: Args, site: SyntaxNode): Value {
    const tensors = (arg: Arg | undefined, what: string): TensorValue[] | undefined => {
      if (!arg) {
        this.problem(`\`Model(...)\` without \`${what}\` cannot be read.`, rangeOf(site), 'warning');
        return undefined;
      }
      const values = Array.isArray(arg.value) ? arg.value : arg.value instanceof PyDict ? [...arg.value.items.values()] : [arg.value];
      const bad = values.find((v) => !(v instanceof TensorValue));
      if (bad !== undefined || values.length === 0) {
        const reason = bad instanceof Unknown ? bad.reason : bad === undefined ? 'empty' : describe(bad);
        this.problem(`The ${what} of this model are not layers the parser could follow (${reason}); the model is left out.`, arg.valueRange ?? rangeOf(site), 'warning', true);
        return undefined;
      }
      return values as TensorValue[];
    };
    const inputs = tensors(args.positional[0] ?? args.keywords.get('inputs'), 'inputs');
    const outputs = inputs && tensors(args.positional[1] ?? args.keywords.get('outputs'), 'outputs');
    if (!inputs || !outputs) return new Unknown(this.t(site), 'a model the parser could not follow');
    const model = new FunctionalModel(rangeOf(site), inputs, outputs);
    this.nameModel(model, args);
    this.keepModel(model);
    return model;
  }

  /**
   * `x + y` and `x * y` on two symbolic tensors: Keras applies its Add / Multiply op layer
   * (TFOpLambda), the same as `layers.Add()([x, y])`; other operators stay unknown.
   */
  protected override tensorArithmetic(op: string, a: TensorValue, b: TensorValue, node: SyntaxNode): Value | undefined {
    const type = op === '+' ? 'add' : op === '*' ? 'multiply' : undefined;
    if (!type) return undefined;
    const layer = this.makeLayer(type, true, [], { positional: [], keywords: new Map() }, node);
    return this.applyLayer(layer, { positional: [{ value: [a, b] }], keywords: new Map() }, node);
  }

  protected override applyLayer(layer: LayerValue, args: Args, site: SyntaxNode): Value {
    let input = args.positional[0]?.value ?? args.keywords.get('inputs')?.value;
    if (layer.type === 'multiHeadAttention') {
      // `mha(query, value[, key], attention_mask=..., training=...)`: the tensors are its inputs.
      if (args.keywords.get('return_attention_scores')?.value === true) return new Unknown(this.t(site), 'the attention scores of `MultiHeadAttention` are not read');
      const part = (i: number, name: string): Value | undefined => args.positional[i]?.value ?? args.keywords.get(name)?.value;
      // Self-attention (`mha(x, x)`) is one input: tfjs' executor frees a tensor that a layer
      // lists twice after its first use, before the layers that read it later (a residual add).
      const same = (a: Value | undefined, b: Value | undefined): boolean => a === b || (a instanceof TensorValue && b instanceof TensorValue && a.node === b.node && a.index === b.index);
      const query = part(0, 'query');
      const value = part(1, 'value');
      const key = part(2, 'key');
      const parts = query === undefined ? [] : [query];
      if (value !== undefined && (!same(value, query) || (key !== undefined && !same(key, value)))) parts.push(value);
      if (key !== undefined && !same(key, value ?? query)) parts.push(key);
      input = parts.length ? parts : undefined;
      const mask = args.keywords.get('attention_mask') ?? args.keywords.get('use_causal_mask');
      if (mask && mask.value !== false && mask.value !== null) this.problem('The attention mask is not applied when measuring (every step attends to every step); the gradients are those of unmasked attention.', mask.property ?? rangeOf(site), 'info');
    }
    const values = Array.isArray(input) ? input : [input];
    if (input === undefined || values.length === 0) return new Unknown(this.t(site), 'layer applied to nothing');
    const bad = values.find((v) => !(v instanceof TensorValue));
    if (bad !== undefined) {
      return new Unknown(this.t(site), bad instanceof Unknown ? `input \`${bad.text}\` is unknown (${bad.reason})` : `input is ${describe(bad ?? null)}, not a tensor`);
    }
    const tensors = values as TensorValue[];
    const indexed = tensors.some((t) => t.index !== 0);
    const node: GraphNode = { layer, inbound: tensors.map((t) => t.node), ...(indexed ? { inboundIndex: tensors.map((t) => t.index) } : {}), order: this.nodeOrder++ };
    // `return_state=True`: [output, *states], two states for an LSTM, one for GRU / SimpleRNN.
    if (['lstm', 'gru', 'simpleRNN'].includes(layer.type) && layer.config.returnState === true) {
      return Array.from({ length: layer.type === 'lstm' ? 3 : 2 }, (_, i) => new TensorValue(node, i));
    }
    return new TensorValue(node);
  }

  /**
   * Keras 1 spellings as Keras 2 arguments: keyword renames (`nb_filter`, `border_mode`, `init`,
   * `subsample`, `output_dim`...), `Convolution2D(64, 9, 9)` as a 9x9 kernel (standalone Keras 2
   * read it so too; tf.keras reads the third number as strides, so `Conv2D` from tf keeps that),
   * `nb_row`/`nb_col`, and `dim_ordering` values.
   */
  protected keras1Args(type: string, className: string, standalone: boolean, args: Args, site: SyntaxNode): Args {
    const keywords = new Map<string, Arg>();
    let renamed = false;
    for (const [k, arg] of args.keywords) {
      const to = k === 'output_dim' && type === 'embedding' ? undefined : KERAS1_KEYWORDS[k];
      if (to && !args.keywords.has(to)) {
        renamed = true;
        let value = arg.value;
        if (k === 'dim_ordering') value = value === 'th' ? 'channels_first' : value === 'tf' ? 'channels_last' : value;
        keywords.set(to, { ...arg, value });
      } else keywords.set(k, arg);
    }
    let positional = args.positional;
    const spatial = type === 'conv2d' ? 2 : type === 'conv3d' ? 3 : 0;
    const dims = positional.slice(1, 1 + spatial);
    const keras1Name = /^Convolution[23]D$/.test(className);
    if (spatial && (keras1Name || standalone) && positional.length === spatial + 1 && dims.every((d) => typeof d.value === 'number')) {
      const kernel = dims.map((d) => d.value);
      const first = dims[0]!;
      const lastDim = dims[dims.length - 1]!;
      const range = first.valueRange && lastDim.valueRange ? { start: first.valueRange.start, end: lastDim.valueRange.end } : undefined;
      positional = [positional[0]!, { value: kernel, ...(range ? { property: range, valueRange: range } : {}) }];
      this.problem(`Keras 1 arguments: \`${this.t(site).slice(0, 40)}\` is read as a ${kernel.join('x')} kernel.`, rangeOf(site), 'info');
    }
    const rows = keywords.get('nb_row');
    const cols = keywords.get('nb_col');
    if (rows && cols && !keywords.has('kernel_size')) {
      keywords.delete('nb_row');
      keywords.delete('nb_col');
      keywords.set('kernel_size', { value: [rows.value, cols.value] });
      renamed = true;
    }
    if (keywords.has('mode') && type === 'batchNormalization') keywords.delete('mode');
    if (renamed && !this.saidKeras1) {
      this.saidKeras1 = true;
      this.problem('Keras 1 argument names (`init`, `border_mode`, `nb_filter`, `output_dim`...) are read as their Keras 2 twins in this file.', rangeOf(site), 'info');
    }
    return { ...args, positional, keywords };
  }

  /** Keras 1 `merge([a, b], mode='concat', concat_axis=-1)`: the merge layer of that mode. */
  protected keras1Merge(name: string, args: Args, site: SyntaxNode): Value {
    const mode = args.keywords.get('mode')?.value ?? 'sum';
    const type = typeof mode === 'string' ? KERAS1_MERGE_MODES[mode] : undefined;
    if (!type) return new Unknown(this.t(site), `merge mode \`${String(mode)}\` is not read`);
    const keywords = new Map<string, Arg>();
    const axis = args.keywords.get('concat_axis') ?? args.keywords.get('dot_axes');
    if (axis) keywords.set(type === 'dot' ? 'axes' : 'axis', axis);
    const layer = this.makeLayer(type, true, [], { positional: [], keywords, ...(args.list ? { list: args.list } : {}) }, site);
    const inputs = args.positional[0] ?? args.keywords.get('layers') ?? args.keywords.get('inputs');
    if (name === 'Merge') return layer; // the class form is a layer to call or add
    return this.applyLayer(layer, { positional: inputs ? [inputs] : [], keywords: new Map() }, site);
  }

  /**
   * Creates a layer from a Keras constructor call: arguments by Keras signature, keys in tfjs
   * spelling, values converted to the IR right here so problems point at the argument.
   */
  protected makeLayer(
    type: string, known: boolean, positional: readonly string[], args: Args, site: SyntaxNode,
    skipReport = false, renames: Readonly<Record<string, string>> = {},
  ): LayerValue {
    const config: Record<string, ConfigValue> = {};
    const ranges: Record<string, PropertyRange> = {};
    const layerRange = rangeOf(site);
    const put = (pyName: string, arg: Arg): void => {
      const key = renames[pyName] ?? tfjsKey(type, pyName);
      const dtype = key === 'dtype' ? tfjsDtype(arg.value) : undefined;
      config[key] = dtype ?? this.toConfig(key, arg.value, arg.valueRange ?? layerRange, layerRange);
      if (arg.property && arg.valueRange) ranges[key] = { property: arg.property, value: arg.valueRange };
    };
    args.positional.forEach((arg, i) => {
      const name = positional[i];
      if (name) put(name, arg);
      else if (!skipReport) this.problem(`Too many positional arguments for \`${type}\`; argument ${i + 1} is ignored.`, arg.property ?? layerRange, 'warning');
    });
    for (const [name, arg] of args.keywords) put(name, arg);
    if (SEQUENCE_LAYERS.has(type) && config.inputDim !== undefined && config.inputShape === undefined && config.batchInputShape === undefined) {
      // Keras reads a sequence layer's `input_dim` (and `input_length`) as input_shape=(length, dim).
      config.inputShape = [config.inputLength ?? null, config.inputDim];
      delete config.inputDim;
      delete config.inputLength;
    }
    for (const key of ['inputShape', 'shape']) {
      const n = config[key];
      if (typeof n !== 'number') continue;
      // `input_shape=(28*28)` is an int (parentheses make no tuple): Keras refuses it ("'int'
      // object is not iterable" in Keras 2, "Cannot convert '784' to a shape" in Keras 3). The
      // evident intent, (784,), is measured, and the line says what Keras does.
      const pyName = key === 'shape' ? 'shape' : 'input_shape';
      this.problem(`\`${pyName}\` is the number ${n}, not a tuple (parentheses alone make no tuple): Keras raises an error when it builds this layer. Write \`${pyName}=(${n},)\`; Gradient Lens measures it so.`, ranges[key]?.value ?? layerRange, 'warning');
      config[key] = [n];
    }
    this.checkLayerConfig(type, config, ranges, layerRange);
    const iteration = this.iterations.length ? [...this.iterations] : undefined;
    // A layer costs more than a step (its config, its node, the graph work after): counted so,
    // the readings of a file that builds thousands of layers stay within the file's budget.
    this.budget.tick(LAYER_STEPS);
    if (++this.layersMade > PARSE_LIMITS.maxLayersPerModel * 4) throw new ParseLimitError(layerLimitMessage(), layerRange, 'statement');
    return new LayerValue(type, known, config, ranges, args.list ? rangeOf(args.list) : undefined, layerRange, iteration);
  }

  protected checkLayerConfig(type: string, config: Record<string, ConfigValue>, ranges: Record<string, PropertyRange>, at: SourceRange): void {
    if (type === 'reLU') {
      for (const key of ['negativeSlope', 'threshold']) {
        if (typeof config[key] === 'number' && config[key] !== 0) this.problem(`tfjs' reLU has no \`${key}\`; it is ignored when training.`, ranges[key]?.property ?? at, 'warning');
      }
    }
  }
}

/**
 * A Keras dtype (`"int64"`, `tf.int32`, `tf.string`, `"mixed_float16"`) as the tfjs dtype that
 * holds it: tfjs has only int32, float32, bool and string, so every integer width is int32 and
 * every float width float32. Undefined for anything else (then read as any config value).
 */
export function tfjsDtype(value: Value): 'int32' | 'float32' | 'bool' | 'string' | undefined {
  const name = typeof value === 'string' ? value : value instanceof PyModule ? value.path[value.path.length - 1] : undefined;
  if (name === undefined) return undefined;
  if (/^u?int(8|16|32|64)$/.test(name)) return 'int32';
  if (/^(mixed_)?(b?float(16|32|64)|double|half)$/.test(name)) return 'float32';
  if (name === 'bool') return 'bool';
  if (name === 'string') return 'string';
  return undefined;
}
