/**
 * tfjs' model-building API read symbolically: `tf.layers.*` make layers, `tf.sequential` and
 * `tf.model` make models (registered with the run that built them), `apply` builds the graph,
 * a model used as a layer is inlined. Everything else under `tf.` is a FactoryCall.
 */
import type * as TS from 'typescript';
import { layerLimitMessage, modelValuesMessage, PARSE_LIMITS, ParseLimitError } from '../../limits';
import { nearestTfjsOptimizer, TFJS_OPTIMIZER_NAMES } from '../../optimizers';
import { LAYER_FACTORIES, MERGE_LAYERS } from '../tfjsApi';
import {
  FactoryCall,
  FunctionalModel,
  functionalNodes,
  type GraphNode,
  LayerValue,
  type ModelValue,
  Namespace,
  NO_INPUT_SHAPE,
  ObjectValue,
  SequentialModel,
  TensorValue,
  Unknown,
  type Value,
} from '../values';
import { Calls } from './calls';
import { copyProps } from './jsSemantics';

/** Config keys that give a layer its input shape in tfjs (LayerArgs; `inputDim` for dense and RNNs). */
const INPUT_KEYS = ['inputShape', 'batchInputShape', 'batchShape', 'inputDim'];
/** The hole a first sequential layer without an input shape leaves, as `--set` names it (README). */
export const INPUT_SHAPE_HOLE = 'inputShape';

export abstract class TfjsModels extends Calls {
  /** Layers made from a config that is not a constant object. */
  private readonly unreadConfig = new WeakSet<LayerValue>();

  /**
   * The first layer of a `tf.sequential` (`model.add` or `layers: [...]`). tfjs throws when it
   * has no input shape: "The first layer in a Sequential model must get an `inputShape` or
   * `batchInputShape` argument" (tfjs-layers Sequential.add), unlike Keras, which takes it from
   * the data at `fit`. A value given for `inputShape` (`--set`, an annotation) completes a copy
   * of the layer; otherwise its `inputShape` is a hole (it decides every shape, so the model is
   * not measured until it is given) and the layer's line says why. An input layer, an
   * embedding (tfjs gives it `[null, inputLength]`), a layer of the file's own class and one
   * whose config is not known are left as they are.
   */
  protected firstSequentialLayer(layer: LayerValue): LayerValue {
    if (layer.type === 'inputLayer' || layer.type === 'embedding' || layer.custom || layer.partOf || this.unreadConfig.has(layer)) return layer;
    const props = layer.config?.props;
    if (props && INPUT_KEYS.some((key) => props.get(key) !== undefined && props.get(key) !== null)) return layer;
    const config = new ObjectValue(layer.config?.literal);
    if (layer.config) copyProps(layer.config, config);
    const filled = this.fillFor(INPUT_SHAPE_HOLE);
    if (filled.found) {
      config.props.set('inputShape', filled.value);
    } else {
      config.props.set('inputShape', new Unknown(INPUT_SHAPE_HOLE, NO_INPUT_SHAPE, { name: INPUT_SHAPE_HOLE, range: layer.range }));
      this.problem(
        `\`${layer.type}\` is the first layer of a sequential model and declares no input shape: tfjs throws here ("The first layer in a Sequential model must get an \`inputShape\` or \`batchInputShape\` argument."). Add \`inputShape: [...]\` to its config, or give \`inputShape\` a value (an annotation or --set) to measure the model with it.`,
        layer.range,
        'warning',
      );
    }
    return new LayerValue(layer.type, layer.known, config, layer.range, layer.iteration, layer.custom, layer.partOf);
  }

  protected callTf(callee: Namespace, args: readonly Value[], site: TS.Node): Value {
    const path = callee.path;
    const range = this.rangeOf(site);
    if (path.length === 2 && path[0] === 'layers' && path[1] !== 'input') {
      const type = path[1]!;
      const [config] = args;
      if (config !== undefined && !(config instanceof ObjectValue)) {
        if (config instanceof Unknown) {
          this.problem(`The config of \`${type}\` is not a constant object: ${config.reason}.`, site);
        }
      }
      const known = LAYER_FACTORIES.has(type);
      this.modelWork++;
      this.countLayer(site);
      const layer = new LayerValue(type, known, config instanceof ObjectValue ? config : undefined, range, this.iterations.length ? [...this.iterations] : undefined);
      // Its config is not known: whether it declares an input shape is not known either.
      if (config !== undefined && !(config instanceof ObjectValue)) this.unreadConfig.add(layer);
      return layer;
    }
    if (path.length === 1 && path[0] === 'sequential') {
      const model = new SequentialModel(range);
      const [config] = args;
      if (config instanceof ObjectValue) {
        const layers = config.props.get('layers');
        if (Array.isArray(layers)) {
          // A list longer than the layer limit: the model keeps the layers up to it.
          if (layers.length > PARSE_LIMITS.maxLayersPerModel) this.problem(layerLimitMessage(), range, 'warning');
          for (const layer of layers.slice(0, PARSE_LIMITS.maxLayersPerModel)) {
            if (layer instanceof LayerValue) model.layers.push(model.layers.length ? layer : this.firstSequentialLayer(layer));
            else this.problem('An element of `layers` is not a layer the parser could resolve; the model may be missing a layer.', site, 'warning', true);
          }
        } else if (layers !== undefined) {
          this.problem('`layers` is not a constant list of layers; the model may be missing layers.', site, 'warning', true);
        }
        const name = config.props.get('name');
        if (typeof name === 'string') this.nameFromConfig(model, name);
      }
      return this.registerModel(model);
    }
    // `tf.layers.input` is tfjs' other spelling of `tf.input`.
    if ((path.length === 1 && path[0] === 'input') || (path.length === 2 && path[0] === 'layers' && path[1] === 'input')) {
      const [config] = args;
      const layer = new LayerValue('inputLayer', true, config instanceof ObjectValue ? config : undefined, range, this.iterations.length ? [...this.iterations] : undefined);
      return new TensorValue(this.node(layer, []));
    }
    if (path.length === 1 && path[0] === 'model') {
      const [config] = args;
      const tensors = (value: Value, role: string): TensorValue[] => {
        const list = Array.isArray(value) ? value : [value];
        const result = list.filter((v): v is TensorValue => v instanceof TensorValue);
        if (result.length !== list.length || list.length === 0) {
          this.problem(`\`${role}\` of the model is not made of symbolic tensors the parser could resolve.`, site, 'warning', true);
        }
        return result;
      };
      if (!(config instanceof ObjectValue)) {
        this.problem('`tf.model` needs a constant `{inputs, outputs}` object.', site, 'warning', true);
        return new Unknown(this.text(site), 'model config is not a constant object');
      }
      const model = new FunctionalModel(range, tensors(config.props.get('inputs'), 'inputs'), tensors(config.props.get('outputs'), 'outputs'));
      const name = config.props.get('name');
      if (typeof name === 'string') this.nameFromConfig(model, name);
      return this.registerModel(model);
    }
    // `tf.train.nadam(...)`: tfjs has no such optimizer; train with the nearest one and say so.
    const nearest = path.length === 2 && path[0] === 'train' ? nearestTfjsOptimizer(path[1]!) : undefined;
    if (nearest) {
      const rate = args.length ? 'the same learning rate' : `${nearest.title}'s default learning rate`;
      this.problem(`tfjs has no \`tf.train.${path[1]}\` optimizer; training uses ${nearest.title}, the nearest tfjs optimizer, with ${rate}.`, site, 'info');
      return new FactoryCall(`train.${nearest.name}`, args.slice(0, 1));
    }
    return new FactoryCall(path.join('.'), args);
  }

  /**
   * `model.compile(config)`: recorded on the model. A Keras optimizer name tfjs' `compile` does
   * not know (`'nadam'`) is replaced by the nearest tfjs optimizer, said at the name.
   */
  protected compileModel(model: ModelValue, config: Value, site: TS.Node): void {
    let args = config instanceof ObjectValue ? config : undefined;
    const optimizer = args?.props.get('optimizer');
    const nearest = typeof optimizer === 'string' && !TFJS_OPTIMIZER_NAMES.has(optimizer.toLowerCase()) ? nearestTfjsOptimizer(optimizer) : undefined;
    if (args && nearest) {
      // A copy: the same options object may compile another model.
      const copy = new ObjectValue(args.literal);
      copyProps(args, copy);
      copy.props.set('optimizer', nearest.name);
      this.problem(
        `tfjs has no \`${optimizer}\` optimizer; training uses ${nearest.title}, the nearest tfjs optimizer, with its default learning rate.`,
        args.ranges.get('optimizer')?.value ?? site,
        'info',
      );
      args = copy;
    }
    model.compile = { args, range: this.rangeOf(site) };
  }

  protected nameFromConfig(model: ModelValue, name: string): void {
    // The variable name is what users search for; a config name only fills in when none binds it.
    model.name = name;
    model.nameDepth = Number.POSITIVE_INFINITY;
  }

  protected registerModel(model: ModelValue): ModelValue {
    if (this.models.length - this.statementModels >= PARSE_LIMITS.maxModelValues) {
      // The statement stops; it keeps its first few models (a runaway loop's are alike), so the
      // models of the statements after it still fit in the file's list.
      this.models.splice(this.statementModels + PARSE_LIMITS.maxBranchValues);
      throw new ParseLimitError(modelValuesMessage(), undefined, 'statement');
    }
    this.modelWork++;
    if (this.templateName) model.template = this.templateName;
    if (this.builderName) model.builder = this.builderName;
    if (this.templateHolder) model.annotationHolder = this.templateHolder;
    this.models.push(model);
    return model;
  }

  protected node(layer: LayerValue, inbound: GraphNode[], inboundIndex?: readonly number[]): GraphNode {
    const indexed = inboundIndex?.some((i) => i !== 0);
    if (this.nodeOrder >= PARSE_LIMITS.maxLayersPerModel * 4) throw new ParseLimitError(layerLimitMessage(), layer.range, 'statement');
    return { layer, inbound, ...(indexed ? { inboundIndex } : {}), order: this.nodeOrder++ };
  }

  /**
   * A model used as a layer is read as its layers, inlined where it is used (marked `partOf`):
   * gradients flow through them exactly as through the nested model.
   */
  protected addModelAsLayers(outer: SequentialModel, inner: ModelValue, site: TS.Node): void {
    const name = inner.name ?? 'model';
    if (inner === outer) {
      this.problem('A model cannot be added to itself.', site);
      return;
    }
    if (inner instanceof SequentialModel) {
      for (const layer of [...inner.layers]) {
        this.tick(); // inlining costs steps, so models nested in loops stay bounded
        if (outer.layers.length >= PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
        if (layer.type !== 'inputLayer' || outer.layers.length === 0) outer.layers.push(layer.inlined(inner, inner.trainable === false));
      }
      return;
    }
    // A functional model is a chain when every node has one input: then it reads as a list.
    const nodes = functionalNodes(inner);
    const chain = inner.inputs.length === 1 && inner.outputs.length === 1 && nodes.every((n) => n.inbound.length <= 1 && nodes.filter((m) => m.inbound.includes(n)).length <= 1);
    if (!chain) {
      this.problem(`\`${name}\` has branches; adding it to a sequential model is not read (apply it to a tensor in a functional model instead).`, site);
      return;
    }
    for (const node of nodes) {
      this.tick();
      if (outer.layers.length >= PARSE_LIMITS.maxLayersPerModel) throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
      if (node.layer.type !== 'inputLayer' || outer.layers.length === 0) outer.layers.push(node.layer.inlined(inner, inner.trainable === false));
    }
  }

  protected applyModel(model: ModelValue, args: readonly Value[], site: TS.Node): Value {
    const [input] = args;
    const given = Array.isArray(input) ? input : [input];
    if (!given.length || !given.every((v): v is TensorValue => v instanceof TensorValue)) {
      const unknown = given.find((v): v is Unknown => v instanceof Unknown);
      return new Unknown(this.text(site), unknown ? unknown.reason : 'model applied to a value that is not a symbolic tensor', unknown?.hole);
    }
    const name = model.name ?? 'model';
    this.modelWork++;
    if (model instanceof SequentialModel) {
      let current: TensorValue = given[0]!;
      for (const layer of [...model.layers]) {
        this.tick();
        if (layer.type === 'inputLayer') continue;
        current = new TensorValue(this.node(layer.inlined(model, model.trainable === false), [current.node], [current.index]));
      }
      return current;
    }
    if (given.length !== model.inputs.length) {
      this.problem(`\`${name}\` takes ${model.inputs.length} inputs but is applied to ${given.length}.`, site);
      return new Unknown(this.text(site), 'model applied to the wrong number of inputs');
    }
    const mapped = new Map<GraphNode, TensorValue>();
    model.inputs.forEach((tensor, i) => mapped.set(tensor.node, given[i]!));
    const copies = new Map<GraphNode, GraphNode>();
    const tensorFor = (node: GraphNode, index: number): TensorValue => {
      const input = mapped.get(node);
      return input ?? new TensorValue(copies.get(node)!, index);
    };
    for (const node of functionalNodes(model)) {
      this.tick();
      if (mapped.has(node)) continue;
      const inputs = node.inbound.map((n, i) => tensorFor(n, node.inboundIndex?.[i] ?? 0));
      copies.set(node, this.node(node.layer.inlined(model, model.trainable === false), inputs.map((t) => t.node), inputs.map((t) => t.index)));
    }
    const outputs = model.outputs.map((t) => tensorFor(t.node, t.index));
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  protected applyLayer(layer: LayerValue, args: readonly Value[], site: TS.Node): Value {
    const [input, kwargs] = args;
    let inputs = Array.isArray(input) ? input : [input];
    // `rnn.apply(x, {initialState: [h, c]})`: tfjs takes the states as extra inputs after `x`
    // (its RNN.apply does the same with `apply([x, h, c])`), so they are inbound edges.
    const states = kwargs instanceof ObjectValue ? kwargs.props.get('initialState') : undefined;
    if (states !== undefined && !MERGE_LAYERS.has(layer.type)) inputs = [...inputs, ...(Array.isArray(states) ? states : [states])];
    const tensors = inputs.filter((v): v is TensorValue => v instanceof TensorValue);
    if (tensors.length !== inputs.length || tensors.length === 0) {
      const unknown = inputs.find((v): v is Unknown => v instanceof Unknown);
      if (!unknown) this.problem(`\`${layer.type}.apply\` is given something that is not a symbolic tensor.`, site, 'info');
      return new Unknown(this.text(site), unknown ? unknown.reason : 'layer applied to a value that is not a symbolic tensor');
    }
    if (this.appliedLayers.has(layer)) {
      this.problem(
        `This \`${layer.type}\` layer object is applied more than once (shared weights); each use is listed as its own layer, so parameter counts may be too high.`,
        site,
        'info',
      );
    }
    this.appliedLayers.add(layer);
    if (MERGE_LAYERS.has(layer.type) && !Array.isArray(input)) {
      this.problem(`\`${layer.type}\` merges a list of tensors: write \`.apply([a, b])\`.`, site);
    }
    this.modelWork++;
    const node = this.node(layer, tensors.map((t) => t.node), tensors.map((t) => t.index));
    // `returnState: true`: [output, ...states], one state for simpleRNN/GRU, two for LSTM.
    if (['lstm', 'gru', 'simpleRNN'].includes(layer.type) && layer.config?.props.get('returnState') === true) {
      const states = layer.type === 'lstm' ? 2 : 1;
      return Array.from({ length: states + 1 }, (_, i) => new TensorValue(node, i));
    }
    return new TensorValue(node);
  }
}
