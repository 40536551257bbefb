/**
 * Output shapes and parameter counts of every layer, computed from the input shape and the
 * configs with tfjs 4.22's defaults. Counts equal `model.countParams()` (a test checks this
 * against tfjs itself). Pure: no tfjs import. Never throws; what cannot be inferred gets no
 * shape and a problem, and the layers after it get no shape either.
 */
import { isCallValue, isConfigObject, type ConfigObject, type ConfigValue, type LayerNode, type ModelGraph, type Shape } from './ir';

export interface ShapeProblem {
  readonly layerId: string;
  readonly message: string;
}

type Dims = (number | null)[];

class ShapeError extends Error {}

function num(value: ConfigValue | undefined, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** `kernelSize: 3` or `[3, 3]` as a tuple of `n` numbers. */
function tuple(value: ConfigValue | undefined, n: number, fallback: number): number[] {
  if (typeof value === 'number') return Array<number>(n).fill(value);
  if (Array.isArray(value) && value.length === n && value.every((v) => typeof v === 'number')) return value as number[];
  if (value === undefined || value === null) return Array<number>(n).fill(fallback);
  throw new ShapeError(`expects ${n} numbers, got ${JSON.stringify(value)}`);
}

function convLength(length: number | null, kernel: number, padding: string, stride: number, dilation: number): number | null {
  if (length === null) return null;
  const dilated = kernel + (kernel - 1) * (dilation - 1);
  // Causal (Conv1D) pads (kernel - 1) * dilation steps before the sequence: 'same' length (Keras' conv_output_length).
  const out = padding === 'same' || padding === 'causal' ? length : length - dilated + 1;
  return Math.floor((out + stride - 1) / stride);
}

function deconvLength(length: number | null, stride: number, kernel: number, padding: string): number | null {
  if (length === null) return null;
  return padding === 'valid' ? length * stride + Math.max(kernel - stride, 0) : length * stride;
}

function known(dim: number | null | undefined, what: string): number {
  if (typeof dim !== 'number') throw new ShapeError(`needs a known ${what}`);
  return dim;
}

function product(dims: readonly (number | null)[]): number | null {
  let p = 1;
  for (const d of dims) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

const IDENTITY = new Set([
  'dropout', 'spatialDropout1d', 'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'activation', 'reLU', 'leakyReLU',
  'elu', 'softmax', 'thresholdedReLU', 'masking', 'rescaling',
]);

interface LayerResult {
  readonly shape: Dims;
  readonly params: number;
}

/** The recurrent layer each cell factory stands for. */
const CELLS: Readonly<Record<string, string>> = { 'layers.lstmCell': 'lstm', 'layers.gruCell': 'gru', 'layers.simpleRNNCell': 'simpleRNN' };

function rnnParams(type: string, inputDim: number, units: number, useBias: boolean): number {
  const gates = type === 'lstm' ? 4 : type === 'gru' ? 3 : 1;
  return gates * (inputDim * units + units * units + (useBias ? units : 0));
}

/** Shape and params of a layer given its config and input shapes (batch dim first). */
function inferLayer(type: string, config: ConfigObject, inputs: readonly Dims[]): LayerResult {
  const input = inputs[0]!;
  const rank = input.length;
  const last = input[rank - 1] ?? null;
  const useBias = config.useBias !== false;
  if (IDENTITY.has(type)) return { shape: [...input], params: 0 };
  switch (type) {
    case 'inputLayer':
      return { shape: [...input], params: 0 };
    case 'multiHeadAttention': {
      // Keras MultiHeadAttention on [query, value, key?]: the query's shape with its last axis
      // `output_shape` (default the query's features); q/k/v projections to heads x key_dim
      // (value: value_dim) and the output projection, each with a bias (keras.io API docs).
      if (rank !== 3 || inputs.some((s) => s.length !== 3)) throw new ShapeError('is trained here on inputs of rank 3 ([batch, steps, features]) only');
      const heads = known(config.numHeads as number, '`num_heads`');
      const keyDim = known(config.keyDim as number, '`key_dim`');
      const valueDim = typeof config.valueDim === 'number' ? config.valueDim : keyDim;
      const dq = known(last, 'query features');
      const dv = known(inputs[1]?.[2] ?? last, 'value features');
      const dk = known(inputs[2]?.[2] ?? inputs[1]?.[2] ?? last, 'key features');
      const out = typeof config.attentionOutputShape === 'number' ? config.attentionOutputShape : dq;
      const b = useBias ? 1 : 0;
      const params = (dq + b) * heads * keyDim + (dk + b) * heads * keyDim + (dv + b) * heads * valueDim + (heads * valueDim + b) * out;
      return { shape: [input[0]!, input[1]!, out], params };
    }
    case 'dense': {
      const units = known(config.units as number, '`units`');
      const d = known(last, 'last input dimension');
      return { shape: [...input.slice(0, -1), units], params: d * units + (useBias ? units : 0) };
    }
    case 'conv1d':
    case 'conv2d':
    case 'conv3d': {
      const spatial = type === 'conv1d' ? 1 : type === 'conv2d' ? 2 : 3;
      if (rank !== spatial + 2) throw new ShapeError(`expects a ${spatial + 2}D input, got ${rank}D`);
      const channelsFirst = config.dataFormat === 'channelsFirst';
      const channels = known(channelsFirst ? input[1] : last, 'number of input channels');
      const filters = known(config.filters as number, '`filters`');
      const kernel = tuple(config.kernelSize, spatial, NaN);
      if (kernel.some(Number.isNaN)) throw new ShapeError('needs `kernelSize`');
      const strides = tuple(config.strides, spatial, 1);
      const dilation = tuple(config.dilationRate, spatial, 1);
      const padding = typeof config.padding === 'string' ? config.padding : 'valid';
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, kernel[i]!, padding, strides[i]!, dilation[i]!));
      if (out.some((d) => d !== null && d <= 0)) throw new ShapeError(`kernel ${kernel.join('x')} does not fit the input ${dims.join('x')} with '${padding}' padding`);
      const shape = channelsFirst ? [input[0]!, filters, ...out] : [input[0]!, ...out, filters];
      return { shape, params: product(kernel)! * channels * filters + (useBias ? filters : 0) };
    }
    case 'conv2dTranspose': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const channelsFirst = config.dataFormat === 'channelsFirst';
      const channels = known(channelsFirst ? input[1] : last, 'number of input channels');
      const filters = known(config.filters as number, '`filters`');
      const kernel = tuple(config.kernelSize, 2, NaN);
      const strides = tuple(config.strides, 2, 1);
      const padding = typeof config.padding === 'string' ? config.padding : 'valid';
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => deconvLength(d, strides[i]!, kernel[i]!, padding));
      const shape = channelsFirst ? [input[0]!, filters, ...out] : [input[0]!, ...out, filters];
      return { shape, params: kernel[0]! * kernel[1]! * channels * filters + (useBias ? filters : 0) };
    }
    case 'separableConv2d':
    case 'depthwiseConv2d': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const channelsFirst = config.dataFormat === 'channelsFirst';
      const channels = known(channelsFirst ? input[1] : last, 'number of input channels');
      const kernel = tuple(config.kernelSize, 2, NaN);
      if (kernel.some(Number.isNaN)) throw new ShapeError('needs `kernelSize`');
      const strides = tuple(config.strides, 2, 1);
      const dilation = tuple(config.dilationRate, 2, 1);
      const padding = typeof config.padding === 'string' ? config.padding : 'valid';
      const multiplier = num(config.depthMultiplier, 1);
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, kernel[i]!, padding, strides[i]!, dilation[i]!));
      const depthwise = kernel[0]! * kernel[1]! * channels * multiplier;
      const filters = type === 'separableConv2d' ? known(config.filters as number, '`filters`') : channels * multiplier;
      const params = type === 'separableConv2d' ? depthwise + channels * multiplier * filters + (useBias ? filters : 0) : depthwise + (useBias ? filters : 0);
      const shape = channelsFirst ? [input[0]!, filters, ...out] : [input[0]!, ...out, filters];
      return { shape, params };
    }
    case 'maxPooling1d': case 'maxPool1d': case 'averagePooling1d': case 'avgPool1d': case 'avgPooling1d': {
      if (rank !== 3) throw new ShapeError(`expects a 3D input, got ${rank}D`);
      const pool = Array.isArray(config.poolSize) ? num(config.poolSize[0], 2) : num(config.poolSize, 2);
      const stride = Array.isArray(config.strides) ? num(config.strides[0], pool) : num(config.strides, pool);
      const padding = typeof config.padding === 'string' ? config.padding : 'valid';
      return { shape: [input[0]!, convLength(input[1]!, pool, padding, stride, 1), last], params: 0 };
    }
    case 'maxPooling2d': case 'maxPool2d': case 'averagePooling2d': case 'avgPool2d': case 'avgPooling2d': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const pool = tuple(config.poolSize, 2, 2);
      const strides = config.strides === undefined || config.strides === null ? pool : tuple(config.strides, 2, 1);
      const padding = typeof config.padding === 'string' ? config.padding : 'valid';
      const channelsFirst = config.dataFormat === 'channelsFirst';
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, pool[i]!, padding, strides[i]!, 1));
      if (out.some((d) => d !== null && d <= 0)) throw new ShapeError(`pool ${pool.join('x')} does not fit the input ${dims.join('x')}`);
      return { shape: channelsFirst ? [input[0]!, input[1]!, ...out] : [input[0]!, ...out, last], params: 0 };
    }
    case 'maxPooling3d': case 'averagePooling3d': {
      // tfjs 4.22 pools 3-D as Keras does: pool defaults to 2x2x2, strides to the pool.
      if (rank !== 5) throw new ShapeError(`expects a 5D input, got ${rank}D`);
      const pool = tuple(config.poolSize, 3, 2);
      const strides = config.strides === undefined || config.strides === null ? pool : tuple(config.strides, 3, 1);
      const padding = typeof config.padding === 'string' ? config.padding : 'valid';
      const channelsFirst = config.dataFormat === 'channelsFirst';
      const dims = channelsFirst ? input.slice(2) : input.slice(1, -1);
      const out = dims.map((d, i) => convLength(d, pool[i]!, padding, strides[i]!, 1));
      if (out.some((d) => d !== null && d <= 0)) throw new ShapeError(`pool ${pool.join('x')} does not fit the input ${dims.join('x')}`);
      return { shape: channelsFirst ? [input[0]!, input[1]!, ...out] : [input[0]!, ...out, last], params: 0 };
    }
    case 'globalAveragePooling1d': case 'globalMaxPooling1d': case 'globalMaxPool1d':
      if (rank !== 3) throw new ShapeError(`expects a 3D input, got ${rank}D`);
      return { shape: [input[0]!, last], params: 0 };
    case 'globalAveragePooling2d': case 'globalMaxPooling2d': case 'globalMaxPool2d': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      return { shape: [input[0]!, config.dataFormat === 'channelsFirst' ? input[1]! : last], params: 0 };
    }
    case 'flatten': {
      const size = product(input.slice(1));
      if (size === null) throw new ShapeError(`needs a fully known input shape, got ${fmt(input)} (tfjs rejects it too)`);
      return { shape: [input[0]!, size], params: 0 };
    }
    case 'reshape': {
      const target = config.targetShape;
      if (!Array.isArray(target) || !target.every((d) => typeof d === 'number' || d === null)) throw new ShapeError('needs a constant `targetShape`');
      const dims = (target as (number | null)[]).map((d) => (d === -1 ? null : d));
      if (dims.filter((d) => d === null).length > 1) throw new ShapeError('`targetShape` can have one -1 at most');
      const total = product(input.slice(1));
      const fixed = product(dims.filter((d) => d !== null));
      // tfjs 4.22 resolves -1 only at run time: its static output shape keeps the dimension unknown.
      if (dims.includes(null)) {
        if (total !== null && fixed !== null && total % fixed !== 0) throw new ShapeError(`cannot reshape ${total} values into ${JSON.stringify(target)}`);
        return { shape: [input[0]!, ...dims], params: 0 };
      }
      if (total !== null && total !== fixed) throw new ShapeError(`cannot reshape ${total} values into ${JSON.stringify(target)}`);
      return { shape: [input[0]!, ...dims], params: 0 };
    }
    case 'permute': {
      const dims = config.dims;
      if (!Array.isArray(dims) || dims.length !== rank - 1) throw new ShapeError('needs `dims` with one entry per non-batch dimension');
      return { shape: [input[0]!, ...dims.map((d) => input[num(d, 0)] ?? null)], params: 0 };
    }
    case 'repeatVector':
      return { shape: [input[0]!, known(config.n as number, '`n`'), last], params: 0 };
    case 'simpleRNN':
    case 'lstm':
    case 'gru': {
      if (rank !== 3) throw new ShapeError(`expects a 3D input [batch, timeSteps, features], got ${rank}D`);
      const units = known(config.units as number, '`units`');
      const features = known(last, 'number of input features');
      const shape = config.returnSequences === true ? [input[0]!, input[1]!, units] : [input[0]!, units];
      return { shape, params: rnnParams(type, features, units, useBias) };
    }
    case 'embedding': {
      const inputDim = known(config.inputDim as number, '`inputDim`');
      const outputDim = known(config.outputDim as number, '`outputDim`');
      return { shape: [...input, outputDim], params: inputDim * outputDim };
    }
    case 'batchNormalization': {
      const axis = num(config.axis, -1);
      const c = known(input[axis < 0 ? rank + axis : axis], 'size of the normalized axis');
      const center = config.center !== false;
      const scale = config.scale !== false;
      return { shape: [...input], params: c * (2 + (center ? 1 : 0) + (scale ? 1 : 0)) };
    }
    case 'layerNormalization': {
      const c = known(last, 'last input dimension');
      return { shape: [...input], params: c * ((config.center !== false ? 1 : 0) + (config.scale !== false ? 1 : 0)) };
    }
    case 'prelu': {
      const shared = new Set(Array.isArray(config.sharedAxes) ? config.sharedAxes : typeof config.sharedAxes === 'number' ? [config.sharedAxes] : []);
      const dims = input.slice(1).map((d, i) => (shared.has(i + 1) ? 1 : d));
      return { shape: [...input], params: known(product(dims), 'input shape') };
    }
    case 'zeroPadding2d': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const p = config.padding;
      const pads: [[number, number], [number, number]] =
        typeof p === 'number' ? [[p, p], [p, p]] :
        Array.isArray(p) && typeof p[0] === 'number' ? [[p[0], p[0]], [num(p[1], 0), num(p[1], 0)]] :
        Array.isArray(p) && Array.isArray(p[0]) && Array.isArray(p[1]) ? [[num(p[0][0], 0), num(p[0][1], 0)], [num(p[1][0], 0), num(p[1][1], 0)]] :
        [[1, 1], [1, 1]];
      const add = (d: number | null, [a, b]: [number, number]): number | null => (d === null ? null : d + a + b);
      return config.dataFormat === 'channelsFirst'
        ? { shape: [input[0]!, input[1]!, add(input[2]!, pads[0]), add(input[3]!, pads[1])], params: 0 }
        : { shape: [input[0]!, add(input[1]!, pads[0]), add(input[2]!, pads[1]), last], params: 0 };
    }
    case 'cropping2D': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const c = config.cropping;
      const crops: [[number, number], [number, number]] =
        typeof c === 'number' ? [[c, c], [c, c]] :
        Array.isArray(c) && typeof c[0] === 'number' ? [[c[0], c[0]], [num(c[1], 0), num(c[1], 0)]] :
        Array.isArray(c) && Array.isArray(c[0]) && Array.isArray(c[1]) ? [[num(c[0][0], 0), num(c[0][1], 0)], [num(c[1][0], 0), num(c[1][1], 0)]] :
        [[0, 0], [0, 0]];
      const cut = (d: number | null, [a, b]: [number, number]): number | null => (d === null ? null : d - a - b);
      return config.dataFormat === 'channelsFirst'
        ? { shape: [input[0]!, input[1]!, cut(input[2]!, crops[0]), cut(input[3]!, crops[1])], params: 0 }
        : { shape: [input[0]!, cut(input[1]!, crops[0]), cut(input[2]!, crops[1]), last], params: 0 };
    }
    case 'upSampling2d': {
      if (rank !== 4) throw new ShapeError(`expects a 4D input, got ${rank}D`);
      const size = tuple(config.size, 2, 2);
      const up = (d: number | null, s: number): number | null => (d === null ? null : d * s);
      return config.dataFormat === 'channelsFirst'
        ? { shape: [input[0]!, input[1]!, up(input[2]!, size[0]!), up(input[3]!, size[1]!)], params: 0 }
        : { shape: [input[0]!, up(input[1]!, size[0]!), up(input[2]!, size[1]!), last], params: 0 };
    }
    case 'add': case 'multiply': case 'average': case 'maximum': case 'minimum': {
      // tfjs Merge.computeElementwiseOpOutputShape: shapes broadcast, aligned from the right
      // (a dimension of 1 takes the other's size; an unknown one stays unknown).
      if (inputs.length < 2) throw new ShapeError('merges at least two tensors');
      let shape: (number | null)[] = input.slice(1);
      for (const other of inputs.slice(1)) {
        const [long, short] = shape.length >= other.length - 1 ? [shape, other.slice(1)] : [other.slice(1), shape];
        const head = long.slice(0, long.length - short.length);
        const tail = short.map((d, k) => {
          const mine = long[long.length - short.length + k] ?? null;
          if (mine === null || d === null) return null;
          if (mine === 1) return d;
          if (d === 1) return mine;
          if (mine !== d) throw new ShapeError(`cannot merge shapes ${fmt(input)} and ${fmt(other)}`);
          return mine;
        });
        shape = [...head, ...tail];
      }
      return { shape: [input[0] ?? null, ...shape], params: 0 };
    }
    case 'dot': {
      // tfjs Dot.computeOutputShape: drop each input's contracted axis, then the second's batch.
      if (inputs.length !== 2) throw new ShapeError('takes exactly two tensors');
      const [a, b] = inputs as [Dims, Dims];
      if (a.length > 3 || b.length > 3) throw new ShapeError('supports inputs of rank 3 at most (tfjs)');
      const pair = Array.isArray(config.axes);
      const axes = pair ? (config.axes as ConfigValue[]) : [config.axes, config.axes];
      const axis = (value: ConfigValue | undefined, r: number): number => {
        const n = num(value, NaN);
        if (!Number.isInteger(n)) throw new ShapeError('needs constant `axes`');
        // tfjs interprets a negative axis only when `axes` is one number (Dot.interpretAxes).
        if (n < 0 && pair) throw new ShapeError(`tfjs does not take negative axes in a list (\`axes: [${(config.axes as ConfigValue[]).join(', ')}]\`); count from the batch axis`);
        const i = n < 0 ? n + r : n;
        if (i < 1 || i >= r) throw new ShapeError(`axis ${n} is out of range for a ${r}D input`);
        return i;
      };
      const [i, j] = [axis(axes[0], a.length), axis(axes[1], b.length)];
      if (a[i] !== null && b[j] !== null && a[i] !== b[j]) throw new ShapeError(`cannot contract dimension ${a[i]} of ${fmt(a)} with dimension ${b[j]} of ${fmt(b)}`);
      const shape = [...a.filter((_, k) => k !== i), ...b.filter((_, k) => k !== j).slice(1)];
      if (shape.length === 1) shape.push(1);
      return { shape, params: 0 };
    }
    case 'rnn': {
      // `tf.layers.rnn({cell})`: one cell or a list of cells stacked, each feeding the next.
      if (rank !== 3) throw new ShapeError(`expects a 3D input [batch, timeSteps, features], got ${rank}D`);
      let cells = Array.isArray(config.cell) ? config.cell : [config.cell];
      const stacked = cells.length === 1 && isCallValue(cells[0]) && cells[0].$call === 'layers.stackedRNNCells' && isConfigObject(cells[0].args[0]) ? cells[0].args[0].cells : undefined;
      if (Array.isArray(stacked)) cells = stacked;
      let features = known(last, 'number of input features');
      let params = 0;
      for (const cell of cells) {
        if (!isCallValue(cell) || !CELLS[cell.$call]) throw new ShapeError('needs cells the parser could read (`tf.layers.lstmCell({units})`...)');
        const cellConfig = isConfigObject(cell.args[0]) ? cell.args[0] : {};
        const units = known(cellConfig.units as number, 'cell `units`');
        params += rnnParams(CELLS[cell.$call]!, features, units, cellConfig.useBias !== false);
        features = units;
      }
      if (!cells.length) throw new ShapeError('needs at least one cell');
      const shape = config.returnSequences === true ? [input[0]!, input[1]!, features] : [input[0]!, features];
      return { shape, params };
    }
    case 'concatenate': {
      if (inputs.length < 2) throw new ShapeError('concatenates at least two tensors');
      const axis = num(config.axis, -1);
      const a = axis < 0 ? rank + axis : axis;
      const shape = [...input];
      for (const other of inputs.slice(1)) {
        if (other.length !== rank) throw new ShapeError(`cannot concatenate shapes ${fmt(input)} and ${fmt(other)}`);
        other.forEach((d, i) => {
          if (i === a || i === 0) return;
          if (shape[i] !== null && d !== null && shape[i] !== d) throw new ShapeError(`cannot concatenate shapes ${fmt(input)} and ${fmt(other)} along axis ${axis}`);
        });
        shape[a] = shape[a] === null || other[a] === null ? null : shape[a]! + other[a]!;
      }
      return { shape, params: 0 };
    }
    case 'bidirectional': {
      const inner = wrappedLayer(config);
      const forward = inferLayer(inner.type, inner.config, inputs);
      const mode = typeof config.mergeMode === 'string' ? config.mergeMode : 'concat';
      const shape = [...forward.shape];
      if (mode === 'concat') shape[shape.length - 1] = known(shape[shape.length - 1], 'output size') * 2;
      return { shape, params: forward.params * 2 };
    }
    case 'timeDistributed': {
      if (rank < 3) throw new ShapeError(`expects at least a 3D input, got ${rank}D`);
      const inner = wrappedLayer(config);
      const step = inferLayer(inner.type, inner.config, [[input[0]!, ...input.slice(2)]]);
      return { shape: [step.shape[0]!, input[1]!, ...step.shape.slice(1)], params: step.params };
    }
    case 'centerCrop':
    case 'resizing':
      return { shape: [input[0]!, known(config.height as number, '`height`'), known(config.width as number, '`width`'), last], params: 0 };
  }
  throw new ShapeError(`the shape rules of \`${type}\` are not known`);
}

function wrappedLayer(config: ConfigObject): { type: string; config: ConfigObject } {
  const layer = config.layer;
  if (!isCallValue(layer) || !layer.$call.startsWith('layers.')) throw new ShapeError('needs a `layer` the parser could read');
  const inner = layer.args[0];
  return { type: layer.$call.slice('layers.'.length), config: isConfigObject(inner) ? inner : {} };
}

function fmt(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : d)).join(',')}]`;
}

/** The input shape (with batch) a sequential model's first layer, or an input layer, declares. */
function declaredInput(layer: LayerNode): Dims | undefined {
  const c = layer.config;
  const dims = (v: ConfigValue | undefined): Dims | undefined =>
    Array.isArray(v) && v.every((d) => typeof d === 'number' || d === null) ? (v as Dims) : undefined;
  const batch = dims(c.batchInputShape) ?? dims(c.batchShape);
  if (batch) return [...batch];
  const shape = dims(c.inputShape) ?? (layer.type === 'inputLayer' ? dims(c.shape) : undefined);
  if (shape) return [null, ...shape];
  if (typeof c.inputDim === 'number' && layer.type !== 'embedding') return [null, c.inputDim];
  if (layer.type === 'embedding' && (typeof c.inputLength === 'number' || typeof c.inputDim === 'number')) {
    return [null, typeof c.inputLength === 'number' ? c.inputLength : null];
  }
  return undefined;
}

/** The shape of output `index` of a layer: the states of an RNN with `returnState` are [batch, units]. */
function outputShapeOf(layer: LayerNode | undefined, index: number): Shape | undefined {
  if (!layer?.outputShape || index === 0) return layer?.outputShape;
  const units = layer.config.units;
  return typeof units === 'number' ? [layer.outputShape[0] ?? null, units] : undefined;
}

/** The first dimension after the batch that is a number and not positive (0, -3, NaN); undefined if none. Every layer asks: a loop, no copies. */
function firstNonPositive(shape: readonly unknown[]): number | undefined {
  for (let i = 1; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d === 'number' && !(d > 0)) return d;
  }
  return undefined;
}

/** Fills `outputShape` and `params` of every layer, and `graph.params` when all are known. */
export function inferShapes(graph: ModelGraph): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const byId = new Map(graph.layers.map((l) => [l.id, l]));
  // The sum of the layers' counts, while every layer has one (`graph.params`); `counted` is
  // false from the start of a layer's turn until its count is added.
  let params: number | undefined = 0;
  let counted = true;
  for (const layer of graph.layers) {
    if (!counted) params = undefined;
    counted = false;
    // A layer read for the first time has neither: `delete` of an absent key is skipped (a runtime call each).
    if ('outputShape' in layer) delete layer.outputShape;
    if ('params' in layer) delete layer.params;
    let inputs: Dims[] | undefined;
    if (layer.inbound.length === 0) {
      const declared = declaredInput(layer);
      if (!declared) {
        problems.push({ layerId: layer.id, message: `\`${layer.id}\` declares no input shape (\`inputShape\`), so shapes and parameter counts are unknown.` });
        continue;
      }
      inputs = [declared];
    } else {
      const shapes = layer.inbound.map((id, i) => outputShapeOf(byId.get(id), layer.inboundOutputs?.[i] ?? 0));
      if (shapes.some((s) => !s)) continue; // an earlier layer already reported why
      inputs = shapes.map((s) => [...s!]);
    }
    if (layer.custom) {
      // Opaque: the shape its computeOutputShape gives; its own weights cannot be counted.
      const input = inputs[0]!;
      if (layer.custom.output === 'same') layer.outputShape = input as Shape;
      else if (layer.custom.output === 'last') layer.outputShape = [input[0] ?? null, layer.custom.lastDim ?? null];
      else problems.push({ layerId: layer.id, message: `\`${layer.id}\`: the output shape of the custom layer \`${layer.type}\` is not known.` });
      continue;
    }
    if (!layer.known) {
      problems.push({ layerId: layer.id, message: `\`${layer.id}\`: the shape of the unknown layer type \`${layer.type}\` cannot be inferred.` });
      continue;
    }
    let empty: number | undefined;
    for (const shape of inputs) if ((empty = firstNonPositive(shape)) !== undefined) break;
    if (empty !== undefined) {
      // tfjs fails on these with messages about tensors; say it about the code.
      problems.push({ layerId: layer.id, message: `\`${layer.id}\` (${layer.type}) gets an input with a dimension of ${empty}; every dimension must be a positive integer, so this model cannot be built.` });
      continue;
    }
    try {
      const result = inferLayer(layer.type, layer.config, inputs);
      const bad = firstNonPositive(result.shape);
      if (bad !== undefined || result.params < 0 || !Number.isFinite(result.params)) {
        problems.push({ layerId: layer.id, message: `\`${layer.id}\` (${layer.type}) would give an output dimension of ${bad ?? 'a negative size'} (output shape [${result.shape.map((d) => d ?? 'null').join(', ')}]); sizes such as \`units\` and \`filters\` must be positive integers, so this model cannot be built.` });
        continue;
      }
      layer.outputShape = result.shape as Shape;
      layer.params = result.params;
      if (params !== undefined) params += result.params;
      counted = true;
    } catch (error) {
      if (!(error instanceof ShapeError)) throw error;
      problems.push({ layerId: layer.id, message: `\`${layer.id}\` (${layer.type}) ${error.message}.` });
    }
  }
  if (!counted) params = undefined;
  if (params !== undefined) graph.params = params;
  else delete graph.params;
  return problems;
}
