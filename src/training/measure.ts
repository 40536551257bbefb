/**
 * A measurement run: build the model, probe its gradients at initialization, train it briefly
 * and record per-layer gradient statistics at every step. Statistics are computed on the device
 * and read back in batches, so recording costs little next to the training itself.
 * Runs in the worker; also callable in-process (tests, benchmarks) with any tfjs backend.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { CLIPPED_OPTIMIZER_CALL, isCallValue, type ConfigValue, type LayerNode, type ModelGraph } from '../core/ir';
import { buildModel, ModelBuildError, toTfjsValue, type Tfjs } from './buildModel';
import { DataError, permutation, syntheticData, userData, type Dataset } from './data';
import { trainingBlocker } from '../core/graph';
import { judgeInitialization } from '../core/analysis/measuredRules';
import { formatBudget } from './budget';
import { gradientStatistics, makeFusedAdam } from './fusedKernels';
import { registerGradientFixes } from './gradientFixes';
import { deriveSeed, withSeededRandom } from './seeding';
import type {
  ActivationStats,
  GradientStats,
  LayerGradients,
  LayerSummary,
  ProbeResult,
  RunOptions,
  RunSummary,
  StepRecord,
  TemporalGradients,
} from './protocol';

export interface MeasureEvents {
  started?(info: { trainableLayers: readonly string[]; totalSteps: number }): void;
  probe?(probe: ProbeResult): void;
  steps?(steps: readonly StepRecord[], activations?: { step: number; layers: Record<string, ActivationStats> }): void;
  /**
   * The first initialization's whole run is measured and more initializations follow (`planned`
   * in all, at least 2): its summary (without `initializations`), so a host can show a first
   * verdict while the others confirm it (issue 19: they took 2/3 of the time to a verdict).
   */
  firstInitialization?(summary: RunSummary, planned: number): void;
}

export interface MeasureControl {
  /** Polled between steps: true stops the run with a partial result. */
  readonly cancelled: () => boolean;
  /** Lets messages in between steps (the worker's event loop). */
  readonly yieldToEvents?: () => Promise<void>;
  /** Read statistics back at most this often (ms). */
  readonly flushIntervalMs?: number;
  /** Sample activation health every N steps (it costs a forward pass). */
  readonly activationEvery?: number;
  /**
   * Largest gradients (bytes) the probe keeps from its first batch for the look after one update
   * (default `KEEP_GRADIENTS_BYTES`); 0 recomputes them (the same numbers, one more gradient pass).
   */
  readonly keepGradientsBytes?: number;
}

/**
 * A model the worker cannot measure, said in the product's own words. `fatal`: the backend's
 * state cannot be trusted afterwards (a wasm abort or out-of-memory), so the host replaces the worker.
 */
export class MeasureError extends Error {
  constructor(
    message: string,
    readonly layerId?: string,
    readonly fatal = false,
    /** The fault is in the `compile` call (optimizer, loss), not in a layer. */
    readonly inCompile = false,
  ) {
    super(message);
    this.name = 'MeasureError';
  }
}

/**
 * Memory one training step may use, in bytes. The wasm backend's heap ends at 4 GiB (wasm32;
 * measured here: allocation fails at 4,096 MB); half of it leaves room for fragmentation and
 * for the estimate below being low. The cpu backend gets the same cap: the machine is shared.
 */
export const STEP_MEMORY_BYTES = 2 * 1024 ** 3;
/**
 * Peak bytes of a training step per float of a sample's layer outputs. Measured with
 * `tf.profile` on wasm: 6.8 to 7.0 for conv nets (r18a/r18b, batch 1 and 2), so 8.
 */
const BYTES_PER_ACTIVATION_FLOAT = 8 * 4;
/** Weights, their gradients and two Adam moments, float32. */
const BYTES_PER_PARAM = 4 * 4;
/**
 * Samples the dead-unit and saturation fractions are judged on, whatever the training batch: the
 * default batch size (32; AutoTrainer's and DeepDiagnosis' 70% rule reads "zero for every sample
 * of a batch" on a training batch). A unit active on half of the samples, as a ReLU unit at He
 * initialization is, is zero on all of 2 samples a quarter of the time and on all of 32 never
 * (0.5^32), so a batch the time budget shrank to 1-4 samples made healthy conv nets "dead".
 */
export const DEAD_UNIT_SAMPLES = 32;

/** Above this many activation floats per step, one step is timed on one sample before the probe. */
const CALIBRATE_ABOVE_FLOATS = 2e6;

/** Messages of a backend that ran out of memory or aborted: tfjs wasm, V8 array buffers. */
export function isOutOfMemory(message: string): boolean {
  return /memory access out of bounds|Aborted\(|out of memory|Array buffer allocation failed|Invalid typed array length|RangeError: Invalid array length/i.test(message);
}

/** The kernel a backend lacks, from tfjs' "Kernel 'X' not registered for backend 'wasm'". */
export function missingKernel(message: string, backend: string): string | undefined {
  const match = /Kernel '([^']+)' not registered for backend '([^']+)'/.exec(message);
  return match && match[2] === backend ? match[1] : undefined;
}

/**
 * Checks a model can be trained before anything is built: every declared dimension at least 1
 * (a 0 or negative one makes tfjs read out of bounds or divide by zero) and some weight to
 * differentiate. Throws MeasureError naming the first layer at fault.
 */
export function preflight(graph: ModelGraph): void {
  // The product's shared check first (core/graph.ts), then the declared input shapes it may not read.
  const blocked = trainingBlocker(graph);
  if (blocked) {
    const named = /^`([^`]+)`/.exec(blocked)?.[1];
    throw new MeasureError(blocked, named !== undefined && graph.layers.some((l) => l.id === named) ? named : undefined);
  }
  for (const layer of graph.layers) {
    const declared = layer.type === 'inputLayer' ? [layer.config.shape, layer.config.batchInputShape] : [layer.config.inputShape, layer.config.batchInputShape, layer.config.inputDim];
    for (const value of declared) {
      const dims = Array.isArray(value) ? value : typeof value === 'number' ? [value] : [];
      const bad = dims.find((d) => typeof d === 'number' && d <= 0);
      if (bad !== undefined) throw new MeasureError(`\`${layer.id}\`: its input shape ${JSON.stringify(value)} has a dimension of ${bad}; every dimension must be at least 1 to train.`, layer.id);
    }
    const bad = layer.outputShape?.slice(1).find((d) => d !== null && d <= 0);
    if (bad !== undefined) {
      throw new MeasureError(`\`${layer.id}\` (${layer.type}) would output ${JSON.stringify(layer.outputShape)}: a dimension of ${bad}; every dimension must be at least 1 to train.`, layer.id);
    }
  }
  if (!graph.layers.some((l) => l.type !== 'inputLayer')) {
    throw new MeasureError('The model has no layers besides its input: there is no weight whose gradient could be measured.');
  }
}

/** Floats of one sample's layer outputs (what a training step keeps for the backward pass), and the layer with the largest. */
function activationFloats(model: tfjs.LayersModel): { floats: number; largest?: string } {
  let floats = 0;
  let largest: { id: string; size: number } | undefined;
  for (const layer of model.layers) {
    let shapes: (number | null)[][];
    try {
      const shape = layer.outputShape as (number | null)[] | (number | null)[][];
      shapes = Array.isArray(shape[0]) ? (shape as (number | null)[][]) : [shape as (number | null)[]];
    } catch {
      continue; // a layer with several inbound nodes has no single output shape; its first use counts below
    }
    for (const shape of shapes) {
      const size = shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1);
      floats += size;
      if (!largest || size > largest.size) largest = { id: layer.name, size };
    }
  }
  return { floats, ...(largest ? { largest: largest.id } : {}) };
}

const SATURATING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);
const DEAD_CAPABLE = new Set(['relu', 'relu6', 'reLU']);
const RECURRENT = new Set(['simpleRNN', 'lstm', 'gru']);
const EPSILON = 1e-7;
/**
 * Share of a ReLU-family layer's units that output zero (or less) for every sample of `output`
 * ([batch, ..., units], or [batch, channels, ...] when `channelsFirst`), in [0, 1].
 *
 * A unit is what owns weights: a dense layer's unit, or a convolution's filter (channel), which
 * shares its kernel over every position (and a dense or recurrent layer applied over time steps
 * shares its units over them). A filter is dead only when it is zero at every position for every
 * sample: while any position is active, its kernel gets a gradient. Counting positions instead
 * (a 14 x 14 x 64 output as 12,544 units) called 98% of a healthy conv layer "dead" on a
 * DeepLocalize Stack Overflow program (47352366, the correct version) whose filters were alive.
 * The dying-ReLU definition is Lu et al. 2019 ("Dying ReLU and Initialization"): a unit whose
 * output is zero for all inputs.
 */
export function deadUnitFraction(tf: Tfjs, output: tfjs.Tensor, channelsFirst = false): tfjs.Scalar {
  return tf.tidy(() => {
    const channelsLast = channelsFirst && output.rank > 2 ? tf.transpose(output, [0, ...Array.from({ length: output.rank - 2 }, (_, k) => k + 2), 1]) : output;
    const units = channelsLast.shape[channelsLast.rank - 1] ?? 1;
    const perUnit = tf.max(tf.reshape(channelsLast, [-1, units]), 0);
    return tf.mean(tf.cast(tf.lessEqual(perUnit, 0), 'float32')) as tfjs.Scalar;
  });
}

/**
 * Gradients of one probe batch kept for the look after one update (bytes, float32): at most 64 M
 * weights. Within the step's memory plan anyway (no optimizer slots exist yet during the probe:
 * weights, gradients and kept gradients are 12 of the 16 bytes per weight it counts); the cap
 * keeps a very wide model's probe from holding a quarter of a gigabyte more.
 */
const KEEP_GRADIENTS_BYTES = 256 * 1024 ** 2;

/** Steps between two samples of the kernel weight norms during training. */
const WEIGHT_NORM_EVERY = 8;

async function readAndDispose(tensor: tfjs.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
  const values = await tensor.data();
  tensor.dispose();
  return values;
}

/** The trainable weights of one layer, in the roles the statistics use. */
interface TrackedLayer {
  readonly id: string;
  readonly kernel?: tfjs.Variable;
  readonly bias?: tfjs.Variable;
  readonly recurrentKernel?: tfjs.Variable;
}

/** Keras-style losses on probabilities, as tfjs-layers computes them, mean over the batch. */
export function lossFunction(tf: Tfjs, name: string): (yTrue: tfjs.Tensor, yPred: tfjs.Tensor) => tfjs.Scalar {
  const clip = (p: tfjs.Tensor) => tf.clipByValue(p, EPSILON, 1 - EPSILON);
  switch (name.toLowerCase()) {
    case 'categoricalcrossentropy':
      return (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(y, tf.log(clip(tf.div(p, tf.sum(p, -1, true))))), -1)));
    case 'sparsecategoricalcrossentropy':
      return (y, p) => {
        const classes = p.shape[p.shape.length - 1]!;
        // tfjs' oneHot refuses depth 1: with one class every label is that class.
        const oneHot = classes === 1 ? tf.onesLike(p) : tf.oneHot(tf.reshape(tf.cast(y, 'int32'), [-1]), classes).reshape(p.shape);
        return tf.mean(tf.neg(tf.sum(tf.mul(oneHot, tf.log(clip(tf.div(p, tf.sum(p, -1, true))))), -1)));
      };
    case 'binarycrossentropy':
      return (y, p) => {
        const q = clip(p);
        return tf.mean(tf.neg(tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))))));
      };
    case 'meanabsoluteerror':
    case 'mae':
      return (y, p) => tf.mean(tf.abs(tf.sub(y, p)));
    case 'hinge':
      return (y, p) => tf.mean(tf.relu(tf.sub(1, tf.mul(tf.sub(tf.mul(y, 2), 1), p))));
    case 'logcosh':
      return (y, p) => {
        const d = tf.sub(p, y);
        return tf.mean(tf.sub(tf.add(d, tf.softplus(tf.mul(-2, d))), Math.log(2)));
      };
    // The other losses of tfjs-layers' `losses.ts` (Keras'), as it computes them: these trained
    // as mean squared error before, so a Poisson or KL model was measured on another loss.
    case 'huber':
      // Keras' Huber with its default delta 1: 0.5 d^2 where |d| <= 1, |d| - 0.5 beyond.
      return (y, p) => {
        const d = tf.abs(tf.sub(y, p));
        const quadratic = tf.minimum(d, 1);
        return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(d, quadratic)));
      };
    case 'squaredhinge':
      return (y, p) => tf.mean(tf.square(tf.relu(tf.sub(1, tf.mul(tf.sub(tf.mul(y, 2), 1), p)))));
    case 'categoricalhinge':
      return (y, p) => tf.mean(tf.relu(tf.add(1, tf.sub(tf.max(tf.mul(tf.sub(1, y), p), -1), tf.sum(tf.mul(y, p), -1)))));
    case 'meanabsolutepercentageerror':
    case 'mape':
      return (y, p) => tf.mul(100, tf.mean(tf.div(tf.abs(tf.sub(y, p)), tf.maximum(tf.abs(y), EPSILON))));
    case 'meansquaredlogarithmicerror':
    case 'msle':
      return (y, p) => tf.mean(tf.square(tf.sub(tf.log1p(tf.maximum(p, EPSILON)), tf.log1p(tf.maximum(y, EPSILON)))));
    case 'kullbackleiblerdivergence':
    case 'kld':
      return (y, p) => {
        const q = tf.clipByValue(y, EPSILON, 1);
        return tf.mean(tf.sum(tf.mul(y, tf.log(tf.div(q, tf.clipByValue(p, EPSILON, 1)))), -1));
      };
    case 'poisson':
      return (y, p) => tf.mean(tf.sub(p, tf.mul(y, tf.log(tf.add(p, EPSILON)))));
    case 'cosineproximity': {
      const unit = (x: tfjs.Tensor) => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), EPSILON)));
      return (y, p) => tf.mean(tf.neg(tf.sum(tf.mul(unit(y), unit(p)), -1)));
    }
    default:
      return (y, p) => tf.mean(tf.square(tf.sub(y, p)));
  }
}

function lossNames(graph: ModelGraph): string[] {
  const loss = graph.compile?.loss;
  if (typeof loss === 'string') return [loss];
  if (Array.isArray(loss)) return loss.filter((l): l is string => typeof l === 'string');
  return ['meanSquaredError'];
}

const STRING_OPTIMIZERS: Record<string, (tf: Tfjs) => tfjs.Optimizer> = {
  sgd: (tf) => tf.train.sgd(0.01),
  adam: (tf) => tf.train.adam(0.001),
  adagrad: (tf) => tf.train.adagrad(0.01),
  adadelta: (tf) => tf.train.adadelta(1, 0.95),
  adamax: (tf) => tf.train.adamax(0.002),
  rmsprop: (tf) => tf.train.rmsprop(0.001),
};

interface OptimizerInfo {
  readonly optimizer: tfjs.Optimizer;
  readonly learningRate: number;
  readonly clipNorm?: number;
}

/** The model's own optimizer from `compile` (tfjs' defaults for names; SGD 0.01 when absent). */
export function makeOptimizer(tf: Tfjs, value: ConfigValue | undefined): OptimizerInfo {
  if (value === undefined || value === null) return { optimizer: tf.train.sgd(0.01), learningRate: 0.01 };
  if (typeof value === 'string') {
    const make = STRING_OPTIMIZERS[value.toLowerCase()];
    if (!make) throw new MeasureError(`Unknown optimizer '${value}'.`);
    const optimizer = withFusedUpdate(tf, make(tf));
    return { optimizer, learningRate: learningRateOf(optimizer) };
  }
  if (isCallValue(value) && value.$call === CLIPPED_OPTIMIZER_CALL) {
    const inner = makeOptimizer(tf, value.args[0]);
    const clipNorm = typeof value.args[1] === 'number' ? value.args[1] : 1;
    return { ...inner, clipNorm };
  }
  if (isCallValue(value) && value.$call.startsWith('train.')) {
    const name = value.$call.slice('train.'.length);
    const factory = (tf.train as unknown as Record<string, (...args: unknown[]) => tfjs.Optimizer>)[name];
    if (typeof factory !== 'function') throw new MeasureError(`\`tf.train.${name}\` is not a tfjs optimizer.`);
    const optimizer = withFusedUpdate(tf, factory.apply(tf.train, value.args.map((a) => toTfjsValue(tf, a, 'optimizer'))));
    return { optimizer, learningRate: learningRateOf(optimizer) };
  }
  throw new MeasureError('The optimizer is not a constant the worker can build.');
}

/** Adam as the same update in one fused kernel per weight (fusedKernels.ts); other optimizers as they are. */
function withFusedUpdate(tf: Tfjs, optimizer: tfjs.Optimizer): tfjs.Optimizer {
  // By class name: tfjs' Optimizer answers `instanceof` for any optimizer (Symbol.hasInstance).
  if (optimizer.getClassName() !== 'Adam') return optimizer;
  const { learningRate, beta1, beta2, epsilon } = optimizer as unknown as { learningRate: number; beta1: number; beta2: number; epsilon: number };
  optimizer.dispose();
  return makeFusedAdam(tf, learningRate, beta1, beta2, epsilon);
}

function learningRateOf(optimizer: tfjs.Optimizer): number {
  const rate = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  return typeof rate === 'number' ? rate : 0.01;
}

function trackedLayers(model: tfjs.LayersModel): TrackedLayer[] {
  const layers: TrackedLayer[] = [];
  for (const layer of model.layers) {
    const weights = layer.trainableWeights;
    if (weights.length === 0) continue;
    const find = (test: (name: string) => boolean) => weights.find((w) => test(w.originalName.split('/').pop() ?? ''))?.read() as tfjs.Variable | undefined;
    const recurrentKernel = find((n) => n === 'recurrent_kernel');
    const bias = find((n) => n === 'bias' || n === 'beta');
    const kernel = find((n) => n !== 'recurrent_kernel' && n !== 'bias' && n !== 'beta') ?? (weights[0]!.read() as tfjs.Variable);
    layers.push({ id: layer.name, kernel, ...(bias ? { bias } : {}), ...(recurrentKernel ? { recurrentKernel } : {}) });
  }
  return layers;
}

/** The node of the IR whose config says what activation a tfjs layer applies. */
function activationOf(node: LayerNode | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'reLU') return 'relu';
  if (node.type === 'activation' || node.activation) return node.activation;
  return RECURRENT.has(node.type) ? 'tanh' : undefined;
}

/**
 * `measure`, and when the wasm backend lacks a kernel the model needs (tfjs: "Kernel 'X' not
 * registered for backend 'wasm'"), the same run again on the cpu backend, said in `notes`. The
 * backend is switched back afterwards so the next model starts on wasm.
 */
export async function measureWithFallback(tf: Tfjs, graph: ModelGraph, options: RunOptions, events: MeasureEvents, control: MeasureControl): Promise<RunSummary> {
  const backend = tf.getBackend();
  try {
    return await measure(tf, graph, options, events, control);
  } catch (error) {
    const kernel = backend === 'wasm' ? missingKernel(error instanceof Error ? error.message : String(error), backend) : undefined;
    if (!kernel) throw error;
    await tf.setBackend('cpu');
    try {
      const summary = await measure(tf, graph, options, events, control);
      const note = `The wasm backend has no '${kernel}' kernel, which this model needs; it was measured on the slower cpu backend instead.`;
      return { ...summary, notes: [note, ...(summary.notes ?? [])] };
    } finally {
      await tf.setBackend(backend);
    }
  }
}

/** Forward time of a batch: fixed (per-op overhead) plus per sample, in ms. */
export interface ForwardCost {
  readonly fixedMs: number;
  readonly perSampleMs: number;
}

/** A gradient pass costs about three forward passes (forward, and two products per layer backward). */
const passMsAt = (cost: ForwardCost, batch: number): number => 3 * (cost.fixedMs + batch * cost.perSampleMs);

/**
 * Times an inference forward pass of 1 sample (after one untimed call, which pays one-time
 * costs); only when that alone, counted per sample, would make a pass too expensive for the
 * budget, also 4 samples, to split the time into a fixed and a per-sample part. Costs two
 * forward passes of one sample for most models, nothing next to training.
 */
function timeForward(tf: Tfjs, model: tfjs.LayersModel, inputs: readonly tfjs.Tensor[], requested: number, budgetMs: number, fixedBatch?: number): ForwardCost {
  const small = Math.min(4, requested);
  const time = (n: number): number => {
    const run = () => tf.tidy(() => {
      const x = inputs.map((t) => tf.slice(t, 0, n));
      const out = model.predict(x.length === 1 ? x[0]! : x, { batchSize: n });
      (Array.isArray(out) ? out : [out]).forEach((t) => t.dataSync());
    });
    run();
    const started = performance.now();
    run();
    return performance.now() - started;
  };
  // A model that fixes its batch (a stateful RNN) accepts no other: timed on that batch.
  if (fixedBatch) return { fixedMs: 0, perSampleMs: time(fixedBatch) / fixedBatch };
  const one = time(1);
  if (small === 1 || passMsAt({ fixedMs: 0, perSampleMs: one }, requested) <= PROBE_SHARE * budgetMs) return { fixedMs: 0, perSampleMs: one };
  const several = time(small);
  const perSampleMs = Math.max(0, (several - one) / (small - 1));
  return { fixedMs: Math.max(0, one - perSampleMs), perSampleMs };
}

/**
 * The largest batch (at most the requested one) whose gradient pass is estimated to fit in
 * `PROBE_SHARE` of the budget; 1 when none does. Shrinks only for models so expensive that one
 * pass at the requested batch would take a quarter of the budget (MobileNet-96 on a loaded
 * 2-core machine; see bench/README.md).
 */
export function batchForBudget(cost: ForwardCost, requested: number, budgetMs: number): number {
  const limit = PROBE_SHARE * budgetMs;
  if (passMsAt(cost, requested) <= limit) return requested;
  if (cost.perSampleMs <= 0) return requested;
  return Math.max(1, Math.min(requested, Math.floor((limit / 3 - cost.fixedMs) / cost.perSampleMs)));
}

/** Optional parts of the probe, in the order `planProbe` keeps them when time is short. */
export type ProbePart = 'activations' | 'after-update' | 'temporal' | 'regularization' | 'seeds' | 'batches' | 'temporal-all';

export interface ProbeCosts {
  /** Wall time of the probe's first gradient pass (ms). */
  readonly passMs: number;
  /** Budget left when the plan is made (ms), and the whole run's budget (ms). */
  readonly remainingMs: number;
  readonly budgetMs: number;
  /** Training steps the run will take after the probe. */
  readonly trainingSteps: number;
  /** Probe batches and initializations asked for (the first of each already done). */
  readonly probeBatches: number;
  readonly seeds: number;
  readonly simpleRnnLayers: number;
  readonly otherRecurrentLayers: number;
  readonly judgesActivations: boolean;
  /** Forward batches the activation health takes (its samples over the run's batch size; default 1). */
  readonly activationBatches?: number;
}

export interface ProbePlan {
  readonly parts: readonly ProbePart[];
  /** The parts that apply to this model (the plan keeps all of them when time allows). */
  readonly wanted: readonly ProbePart[];
  /** Probe batches (>= 1) and initializations (>= 1) to use. */
  readonly batches: number;
  readonly seeds: number;
}

/**
 * Share of the budget the probe may use beyond its first pass when probe and training do not both
 * fit: our choice, so that three quarters are left for training (the issue-19 profiles had the
 * probe at 23-83% of the time to a verdict and over the whole budget for MobileNet-96).
 */
export const PROBE_SHARE = 0.25;
/** A training step (gradients + update + statistics) in gradient passes; measured 1.1-1.3 on the scale models. */
const STEP_IN_PASSES = 1.25;

/**
 * What the probe does beyond its first gradient pass, from that pass's cost. Everything when the
 * full probe and the training both fit in the remaining budget; otherwise the parts in order of
 * what the verdicts need most (activation health, the look after one update, simpleRNN time steps,
 * the regularization share, other initializations, more batches, LSTM/GRU time steps), each
 * while its estimated cost fits in `PROBE_SHARE` of the budget. Costs in passes: a forward pass
 * 0.4, the after-update look 2 (an update and a pass), one per recurrent layer for time steps,
 * 1.5 per extra initialization (a model build and a pass), 1 per extra batch.
 */
export function planProbe(costs: ProbeCosts): ProbePlan {
  const candidates: { part: ProbePart; passes: number; count?: number }[] = [];
  if (costs.judgesActivations) candidates.push({ part: 'activations', passes: 0.4 * (costs.activationBatches ?? 1) });
  candidates.push({ part: 'after-update', passes: 2 });
  if (costs.simpleRnnLayers) candidates.push({ part: 'temporal', passes: costs.simpleRnnLayers });
  candidates.push({ part: 'regularization', passes: 0.4 });
  if (costs.seeds > 1) candidates.push({ part: 'seeds', passes: 1.5 * (costs.seeds - 1), count: costs.seeds });
  if (costs.probeBatches > 1) candidates.push({ part: 'batches', passes: costs.probeBatches - 1, count: costs.probeBatches });
  if (costs.otherRecurrentLayers) candidates.push({ part: 'temporal-all', passes: costs.simpleRnnLayers + costs.otherRecurrentLayers });
  const full = candidates.reduce((sum, c) => sum + c.passes, 0) * costs.passMs;
  const training = costs.trainingSteps * STEP_IN_PASSES * costs.passMs;
  const all = full + training <= costs.remainingMs;
  let allowance = all ? Infinity : Math.min(costs.remainingMs, PROBE_SHARE * costs.budgetMs - costs.passMs);
  const parts: ProbePart[] = [];
  let batches = 1;
  let seeds = 1;
  for (const candidate of candidates) {
    const cost = candidate.passes * costs.passMs;
    if (cost > allowance) continue;
    allowance -= cost;
    parts.push(candidate.part);
    if (candidate.part === 'seeds') seeds = candidate.count!;
    if (candidate.part === 'batches') batches = candidate.count!;
  }
  return { parts, wanted: candidates.map((c) => c.part), batches, seeds };
}

/**
 * Builds `graph`, probes it and trains it briefly (see the file comment). Whatever way it ends
 * (a result, a MeasureError, a backend failure), every tensor and variable it made is released:
 * tensors through an engine scope around the whole run, variables (layers' weights, optimizer
 * slots) by name against the ones registered before it started.
 */
export async function measure(tf: Tfjs, graph: ModelGraph, runOptions: RunOptions, events: MeasureEvents, control: MeasureControl): Promise<RunSummary> {
  // A model that fixes its batch (a stateful RNN) runs with that batch, on whole batches only.
  const fixed = graph.batchSize;
  const options: RunOptions = fixed ? { ...runOptions, batchSize: fixed, samples: fixed * Math.max(1, Math.floor(runOptions.samples / fixed)) } : runOptions;
  const engine = tf.engine();
  const variablesBefore = new Set(Object.keys(engine.registeredVariables));
  engine.startScope();
  try {
    return await measureInitializations(tf, graph, options, events, control);
  } finally {
    engine.endScope();
    for (const [name, variable] of Object.entries(engine.registeredVariables)) {
      if (!variablesBefore.has(name) && !variable.isDisposed) variable.dispose();
    }
  }
}

/**
 * The seed of initialization `index` (0 is the run's own): weights and dropout masks differ
 * between initializations; data and shuffling follow the run seed in all of them.
 */
export function initializationSeed(runSeed: number, index: number): number {
  return index === 0 ? runSeed : deriveSeed(runSeed, 7919 * index);
}

/**
 * A measurement on `options.seeds` initializations (default 3): the first, the run's own, streams
 * its statistics through `events`; the others run the same way, quietly, and come back in
 * `initializations` so the rules can tell a verdict that holds from one that depends on the
 * draw. When they disagree, more are measured until the majority over `options.maxSeeds` is
 * settled (see RunOptions.maxSeeds). All of them share the time budget: another initialization
 * starts only when one more run as long as the first still fits, and one cut short anyway is left out.
 * Deterministic: the same graph, options and backend give the same numbers.
 */
async function measureInitializations(tf: Tfjs, graph: ModelGraph, options: RunOptions, events: MeasureEvents, control: MeasureControl): Promise<RunSummary> {
  const started = Date.now();
  const primary = await measureOnce(tf, graph, options, initializationSeed(options.seed, 0), events, control, started);
  const count = Math.max(1, Math.floor(options.seeds ?? 1));
  if (count === 1 || primary.stoppedBy === 'cancelled' || primary.stoppedBy === 'budget') return primary;
  const firstInitializationMs = Date.now() - started;
  events.firstInitialization?.({ ...primary, elapsedMs: firstInitializationMs, initializations: [] }, count);
  const others: RunSummary[] = [];
  // Another initialization costs about what the first did: start one only if it fits the budget.
  const another = async (): Promise<RunSummary | undefined> => {
    if (control.cancelled() || Date.now() - started + primary.elapsedMs > options.timeBudgetMs) return undefined;
    const other = await measureOnce(tf, graph, options, initializationSeed(options.seed, 1 + others.length), {}, control, started);
    return other.stoppedBy === 'cancelled' || other.stoppedBy === 'budget' ? undefined : other;
  };
  for (let k = 1; k < count; k++) {
    const other = await another();
    if (!other) break;
    others.push(other);
  }
  // Initializations that disagree: draw more until the majority over `maxSeeds` is settled.
  const most = Math.max(count, Math.floor(options.maxSeeds ?? count));
  if (most > count && others.length === count - 1) {
    const judged = [primary, ...others].map((run) => verdictKeys(graph, run));
    if (disagree(judged)) {
      while (1 + others.length < most && !settled(judged, most)) {
        const other = await another();
        if (!other) break;
        others.push(other);
        judged.push(verdictKeys(graph, other));
      }
    }
  }
  const probeSeeds = [primary, ...others].map((s) => ({ seed: s.initSeed ?? options.seed, kernelNorms: kernelNormsOf(s.probe?.layers ?? {}) }));
  // A stop while the others confirm the first keeps what was measured, and says so.
  const stopped = control.cancelled() && 1 + others.length < count;
  const measured = 1 + others.length;
  return {
    ...primary,
    ...(stopped && !primary.partial ? { partial: { reason: `the run was stopped after ${measured} of ${count} initializations` } } : {}),
    elapsedMs: Date.now() - started,
    firstInitializationMs,
    ...(primary.probe ? { probe: { ...primary.probe, seeds: probeSeeds } } : {}),
    initializations: others,
  };
}

/**
 * What one initialization's run is judged to show, as keys to count across initializations: the
 * code of each warning or error the measured rules give (default thresholds) and the model verdict.
 */
function verdictKeys(graph: ModelGraph, run: RunSummary): ReadonlySet<string> {
  const judged = judgeInitialization(graph, { ...run, initializations: [] });
  return new Set([`verdict ${judged.modelVerdict}`, ...judged.findings.filter((f) => f.severity !== 'info').map((f) => f.code)]);
}

function heldIn(judged: readonly ReadonlySet<string>[], key: string): number {
  return judged.filter((keys) => keys.has(key)).length;
}

/** Whether some verdict or finding holds in some of the initializations but not all. */
function disagree(judged: readonly ReadonlySet<string>[]): boolean {
  const keys = new Set(judged.flatMap((k) => [...k]));
  return [...keys].some((key) => heldIn(judged, key) < judged.length);
}

/**
 * Whether more initializations, up to `most`, can no longer change which keys most of them hold
 * (`combineInitializations` keeps a key held in more than half): each key is held in a majority of
 * `most` already, or missing from enough that it cannot reach one.
 */
function settled(judged: readonly ReadonlySet<string>[], most: number): boolean {
  const majority = Math.floor(most / 2) + 1;
  const keys = new Set(judged.flatMap((k) => [...k]));
  return [...keys].every((key) => {
    const held = heldIn(judged, key);
    return held >= majority || judged.length - held > most - majority;
  });
}

/** One initialization: build with `initSeed`, probe, train. The budget counts from `budgetStart` (the whole measurement's). */
async function measureOnce(
  tf: Tfjs,
  graph: ModelGraph,
  options: RunOptions,
  initSeed: number,
  events: MeasureEvents,
  control: MeasureControl,
  budgetStart: number,
): Promise<RunSummary> {
  const started = budgetStart;
  const elapsed = () => Date.now() - started;
  const budget = formatBudget(options.timeBudgetMs);
  const backend = tf.getBackend();
  registerGradientFixes(tf);
  preflight(graph);
  // Every draw tfjs makes without a seed during a step (dropout and noise masks) comes from a
  // generator seeded by the initialization and the number of the draw: fresh per step, same per run.
  let draws = 0;
  const seeded = <T>(fn: () => T): T => withSeededRandom(deriveSeed(initSeed, 0xd0, draws++), fn);
  let model: tfjs.LayersModel;
  try {
    model = buildModel(tf, graph, initSeed);
  } catch (error) {
    if (error instanceof ModelBuildError) throw new MeasureError(error.message, error.layerId);
    throw error;
  }
  const disposables: tfjs.Tensor[] = [];
  let sideModel: tfjs.LayersModel | undefined;
  let optimizer: tfjs.Optimizer | undefined;
  const notes: string[] = [];
  let largestLayer: string | undefined;
  try {
    if (model.trainableWeights.length === 0) throw new MeasureError('The model has no trainable weights: there is no gradient to measure.');
    let made: OptimizerInfo;
    try {
      made = makeOptimizer(tf, graph.compile?.optimizer);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new MeasureError(message.startsWith('Unknown optimizer') || error instanceof MeasureError ? message : `The optimizer could not be built: ${message}`, undefined, false, true);
    }
    optimizer = made.optimizer;
    const { learningRate, clipNorm, optimizer: update } = made;
    const losses = lossNames(graph);
    const lossFns = model.outputs.map((_, i) => lossFunction(tf, losses[i] ?? losses[0]!));
    const memoryLimit = options.memoryLimitBytes ?? STEP_MEMORY_BYTES;
    if (!options.data) {
      // Synthetic data is made whole before the first step: refuse what would not fit.
      const floats = [...model.inputs, ...model.outputs].reduce((sum, t) => sum + t.shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1), 0);
      const bytes = floats * 4 * options.samples;
      if (bytes > memoryLimit) {
        throw new MeasureError(`The synthetic data would take ${megabytes(bytes)} (${options.samples} samples of ${floats.toLocaleString('en-US')} values), more than the ${megabytes(memoryLimit)} a run may use: use fewer samples.`);
      }
    }
    let data: Dataset;
    try {
      data = options.data ? userData(tf, model, options.data) : syntheticData(tf, model, graph, losses, options.samples, options.seed);
    } catch (error) {
      if (error instanceof DataError) throw new MeasureError(error.message);
      throw error;
    }
    disposables.push(...data.inputs, ...data.labels);
    const tracked = trackedLayers(model);
    const allTrainable = model.trainableWeights.map((w) => w.read() as tfjs.Variable);
    // Memory: the largest batch whose training step fits STEP_MEMORY_BYTES; none fits -> a clear refusal.
    const activations = activationFloats(model);
    largestLayer = activations.largest;
    const perSampleBytes = activations.floats * BYTES_PER_ACTIVATION_FLOAT;
    const fitting = Math.floor((memoryLimit - model.countParams() * BYTES_PER_PARAM) / Math.max(perSampleBytes, 1));
    const asked = Math.max(1, Math.min(options.batchSize, data.samples));
    if (fitting < 1) {
      throw new MeasureError(
        `The model is too large to train here: one sample needs about ${megabytes(perSampleBytes + model.countParams() * BYTES_PER_PARAM)} for a training step, more than the ${megabytes(memoryLimit)} a step may use on the ${backend} backend${largestLayer ? ` (the largest output is \`${largestLayer}\`'s)` : ''}. A smaller input shape or fewer filters would fit.`,
        largestLayer,
      );
    }
    const memoryBatch = Math.min(asked, fitting);
    if (memoryBatch < asked) notes.push(`Batch size ${memoryBatch} instead of ${asked}: a step of ${asked} samples would need about ${megabytes(asked * perSampleBytes)}, more than the ${megabytes(memoryLimit)} a step may use.`);
    const requestedBatch = memoryBatch;
    // A model whose gradient pass at the requested batch would take more than the probe's share
    // of the budget trains on a smaller batch, so that a verdict arrives within the budget.
    const forwardCost = timeForward(tf, model, data.inputs, requestedBatch, options.timeBudgetMs, graph.batchSize);
    let batchSize = graph.batchSize ?? batchForBudget(forwardCost, requestedBatch, options.timeBudgetMs);
    if (batchSize < requestedBatch) notes.push(`Batch size ${batchSize} instead of ${requestedBatch}: a gradient pass of ${requestedBatch} samples would take about ${(passMsAt(forwardCost, requestedBatch) / 1000).toPrecision(2)} s, more than the probe's share of the ${budget} budget.`);
    const nodes = new Map(graph.layers.map((l) => [l.id, l]));
    let batchesPerEpoch = Math.max(1, Math.floor(data.samples / batchSize));
    const batch = (order: Int32Array | undefined, index: number): { x: tfjs.Tensor[]; y: tfjs.Tensor[] } =>
      tf.tidy(() => {
        const start = (index % batchesPerEpoch) * batchSize;
        const indices = order ? tf.tensor1d(order.slice(start, start + batchSize), 'int32') : tf.range(start, start + batchSize, 1, 'int32');
        return { x: data.inputs.map((t) => tf.gather(t, indices)), y: data.labels.map((t) => tf.gather(t, indices)) };
      });

    const dataLoss = (x: tfjs.Tensor[], y: tfjs.Tensor[]): tfjs.Scalar => {
      const out = model.apply(x.length === 1 ? x[0]! : x, { training: true });
      const predictions = (Array.isArray(out) ? out : [out]) as tfjs.Tensor[];
      return predictions.map((p, i) => lossFns[i]!(y[i]!, p)).reduce((a, b) => tf.add(a, b)) as tfjs.Scalar;
    };

    /** The weights whose statistics each step records, in a fixed order both sides of the packing share. */
    const recorded = tracked.flatMap((layer) =>
      (['kernel', 'bias', 'recurrentKernel'] as const).flatMap((role) => (layer[role] ? [{ layer: layer.id, role, variable: layer[role]!, size: layer[role]!.size }] : [])),
    );
    const kernels = tracked.filter((l) => l.kernel);

    /**
     * One step: gradients of the data loss, statistics packed into one tensor that stays on the
     * device, and the update when training. Few ops per weight (the cost for small layers is
     * per op): sum of squares, sum and max of |g| (one fused kernel per weight on wasm,
     * fusedKernels.ts); square roots and means are taken in JS.
     * Layout: per recorded weight [sumSq, sumAbs, maxAbs], then the loss. Kernel weight norms
     * change slowly; they are read once per batch of steps (see `weightNorms`).
     */
    /** The optimizer's update with `grads` (clipped to the global norm first when the optimizer is). Inside a tidy. */
    const applyUpdate = (grads: tfjs.NamedTensorMap): void => {
      if (clipNorm !== undefined) {
        const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-12)));
        const clipped: tfjs.NamedTensorMap = {};
        for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
        update.applyGradients(clipped);
      } else {
        update.applyGradients(grads);
      }
    };
    /**
     * `keep` (a probe pass): also returns the gradients, kept past the step, unless the pass drew
     * random numbers (dropout, noise), after which recomputing them would not give the same ones.
     */
    const step = (x: tfjs.Tensor[], y: tfjs.Tensor[], train: boolean, keep?: (grads: tfjs.NamedTensorMap) => void): tfjs.Tensor1D =>
      seeded(() => {
        const random = Math.random;
        let drew = false;
        if (keep) {
          Math.random = () => {
            drew = true;
            return random();
          };
        }
        try {
          return tf.tidy(() => {
            const { value, grads } = tf.variableGrads(() => dataLoss(x, y), allTrainable);
            const parts: tfjs.Tensor[] = recorded.map((weight) => gradientStatistics(tf, grads[weight.variable.name]!));
            parts.push(tf.reshape(value, [1]));
            if (train) applyUpdate(grads);
            if (keep && !drew) keep(Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.keep(g)])));
            return tf.concat(parts) as tfjs.Tensor1D;
          });
        } finally {
          Math.random = random;
        }
      });
    const width = recorded.length * 3 + 1;

    /** Each kernel's sum of squares now, [kernels], on the device. */
    const squaredKernelNorms = (): tfjs.Tensor1D => tf.tidy(() => tf.stack(kernels.map((layer) => tf.sum(tf.square(layer.kernel!)))) as tfjs.Tensor1D);
    /**
     * The last kernel norms the probe read, kept for training's first weight sample (step 0):
     * no update comes in between, so it is what that sample would compute again.
     */
    let probeSquaredNorms: tfjs.Tensor1D | undefined;
    /** L2 norm of each kernel now: for the update ratio |lr * g| / |w| of the steps read back with it. */
    const weightNorms = async (): Promise<Map<string, number>> => {
      if (!kernels.length) return new Map();
      const packed = squaredKernelNorms();
      disposables.push(packed);
      const values = await packed.data();
      probeSquaredNorms?.dispose();
      probeSquaredNorms = packed;
      return new Map(kernels.map((layer, k) => [layer.id, Math.sqrt(values[k]!)]));
    };

    const unpack = (values: Float32Array | Int32Array | Uint8Array, offset: number, weightNorms: ReadonlyMap<string, number>): { layers: Record<string, LayerGradients>; loss: number } => {
      const stats = new Map<string, Partial<Record<'kernel' | 'bias' | 'recurrentKernel', GradientStats>>>();
      recorded.forEach((weight, k) => {
        const at = offset + k * 3;
        const entry = stats.get(weight.layer) ?? {};
        entry[weight.role] = { norm: Math.sqrt(values[at]!), meanAbs: values[at + 1]! / weight.size, maxAbs: values[at + 2]! };
        stats.set(weight.layer, entry);
      });
      const layers: Record<string, LayerGradients> = {};
      for (const layer of tracked) {
        const entry = stats.get(layer.id) ?? {};
        const weightNorm = weightNorms.get(layer.id);
        layers[layer.id] = {
          ...entry,
          ...(weightNorm !== undefined ? { weightNorm } : {}),
          ...(entry.kernel && weightNorm !== undefined ? { updateRatio: (learningRate * entry.kernel.norm) / Math.max(weightNorm, 1e-30) } : {}),
        };
      }
      return { layers, loss: values[offset + width - 1]! };
    };

    // Activation health: one forward pass of a side model that exposes the layers we judge.
    const judged = model.layers.filter((l) => {
      const activation = activationOf(nodes.get(l.name));
      return !!activation && (SATURATING.has(activation) || DEAD_CAPABLE.has(activation));
    });
    // A layer with several outputs (an RNN's states) is judged on its first, the sequence output.
    const firstOutput = (l: tfjs.layers.Layer): tfjs.SymbolicTensor => (Array.isArray(l.output) ? l.output[0]! : l.output);
    if (judged.length) sideModel = tf.model({ inputs: model.inputs, outputs: judged.map(firstOutput) });
    // Activation health is judged on the same first samples of the data every time, at least
    // DEAD_UNIT_SAMPLES of them whatever the training batch: "zero for every sample of a batch" over
    // the 1-4 samples a budget-shrunk batch has calls half of a healthy ReLU layer dead.
    const activationCount = graph.batchSize !== undefined ? batchSize : Math.min(data.samples, Math.max(batchSize, Math.min(DEAD_UNIT_SAMPLES, fitting)));
    const activationSample = data.inputs.map((t) => tf.slice(t, 0, activationCount));
    disposables.push(...activationSample);
    /** Wall time of the last activation-health pass (ms): later passes run only when it fits the budget. */
    let activationMs = 0;
    const activationStats = async (): Promise<Record<string, ActivationStats>> => {
      if (!sideModel) return {};
      const started = Date.now();
      const x = activationSample;
      const packed = tf.tidy(() => {
        // Predicted in chunks of the run's batch (its memory and time are planned for it); a
        // stateful RNN accepts only its own batch size, which is then the whole sample.
        const outs = sideModel!.predict(x.length === 1 ? x[0]! : x, { batchSize });
        const list = Array.isArray(outs) ? outs : [outs];
        // Per layer: the dead or saturated fraction, and the output's root mean square (how the
        // signal's scale grows through a ReLU stack: an over-scaled initializer shows there).
        return tf.stack(list.map((out, i) => {
          const node = nodes.get(judged[i]!.name);
          const activation = activationOf(node)!;
          const flat = tf.reshape(out, [out.shape[0]!, -1]);
          const rms = tf.sqrt(tf.mean(tf.square(flat)));
          if (DEAD_CAPABLE.has(activation)) return tf.stack([deadUnitFraction(tf, out, node?.config.dataFormat === 'channelsFirst'), rms]);
          const limit = activation === 'sigmoid' || activation === 'hardSigmoid' ? tf.abs(tf.sub(tf.mul(flat, 2), 1)) : tf.abs(flat);
          return tf.stack([tf.mean(tf.cast(tf.greater(limit, 0.98), 'float32')), rms]);
        }));
      });
      const values = await packed.data();
      packed.dispose();
      const result: Record<string, ActivationStats> = {};
      judged.forEach((layer, i) => {
        const activation = activationOf(nodes.get(layer.name))!;
        const fraction = values[2 * i]!;
        const rms = values[2 * i + 1]!;
        result[layer.name] = DEAD_CAPABLE.has(activation) ? { dead: fraction, rms } : { saturated: fraction, rms };
      });
      activationMs = Date.now() - started;
      return result;
    };

    const temporal = (x: tfjs.Tensor[], y: tfjs.Tensor[], which: 'all' | 'simpleRNN'): TemporalGradients[] => seeded(() => temporalGradients(tf, model, graph, x, y, lossFns, which));

    // Time: a big model's step is timed on one sample first, and the batch made small enough
    // that the probe (its batches, the update and second look, the other seeds) takes at most
    // half the budget; training gets the rest. Small models skip this (their first step is
    // mostly warm-up, which would make the estimate far too high).
    let lastStepMs = 0;
    let calibration: tfjs.Tensor1D | undefined;
    /** Would `ms` more (one more step of the last step's length) end past the budget? */
    const noTimeFor = (ms: number): boolean => elapsed() + ms > options.timeBudgetMs;
    const probeSteps = options.probeBatches + 2 + Math.max(0, (options.seeds ?? 1) - 1);
    // A fixed batch (stateful RNN) is never cut: the model cannot run on another.
    if (graph.batchSize === undefined && activations.floats * batchSize > CALIBRATE_ABOVE_FLOATS) {
      const one = tf.tidy(() => ({ x: data.inputs.map((t) => t.slice(0, 1)), y: data.labels.map((t) => t.slice(0, 1)) }));
      // Twice, keeping the faster: the first call of each kernel pays for its set-up. The second
      // only when the first would cut the batch or the probe: a faster time cannot (it keeps its
      // draw number, so later dropout masks are those of a run that took it).
      const fitsTimeAt = (ms: number): number => Math.max(1, Math.floor((options.timeBudgetMs - elapsed()) / 2 / Math.max(ms * probeSteps, 1)));
      const wouldCut = (ms: number): boolean => fitsTimeAt(ms) < batchSize || noTimeFor(ms * batchSize);
      let perSampleMs = Infinity;
      for (let k = 0; k < 2 && (k === 0 || !noTimeFor(4 * perSampleMs)); k++) {
        if (k === 1 && !wouldCut(perSampleMs)) {
          draws++;
          break;
        }
        const t0 = Date.now();
        const packed = step(one.x, one.y, false);
        await packed.data();
        perSampleMs = Math.min(perSampleMs, Date.now() - t0);
        // Kept: if the budget has no room for a probe batch, this one-sample step is the probe.
        calibration?.dispose();
        calibration = packed;
      }
      tf.dispose([...one.x, ...one.y]);
      const fitsTime = fitsTimeAt(perSampleMs);
      if (fitsTime < batchSize) {
        notes.push(`Batch size ${fitsTime} instead of ${batchSize}: a step takes about ${(perSampleMs / 1000).toPrecision(2)} s per sample here, and the probe must fit in half of the ${budget} budget.`);
        batchSize = fitsTime;
      }
      lastStepMs = perSampleMs * batchSize;
    }
    batchesPerEpoch = Math.max(1, Math.floor(data.samples / batchSize));
    const totalSteps = options.probeOnly ? 0 : batchesPerEpoch * options.epochs;
    events.started?.({ trainableLayers: tracked.map((l) => l.id), totalSteps });
    // ---- probe: statistics at initialization, averaged over a few batches, before any update.
    // Its first gradient pass is always made; the rest is planned from that pass's cost so that
    // the probe leaves the budget room for training (see `planProbe`), and each part is skipped
    // once the budget is spent.
    const probeStarted = Date.now();
    const overBudget = () => elapsed() > options.timeBudgetMs;
    const probePacked: tfjs.Tensor1D[] = [];
    // Batch 0's gradients at the initial weights, kept for the look after one update, which
    // applies exactly these (same weights, same batch): a gradient pass saved, the same numbers.
    // Not kept when recomputing them would differ (a stateful RNN carries its state from the
    // probe's other batches; a pass that drew random numbers) or when they are too big to hold.
    let keptGradients: tfjs.NamedTensorMap | undefined;
    const keepGradients = !(model as unknown as { stateful?: boolean }).stateful && model.countParams() * 4 <= (control.keepGradientsBytes ?? KEEP_GRADIENTS_BYTES);
    const dropKeptGradients = (): void => {
      if (keptGradients) tf.dispose(Object.values(keptGradients));
      keptGradients = undefined;
    };
    const probeBatch = (b: number) => {
      const { x, y } = batch(undefined, b);
      // The wasm and cpu backends compute synchronously: the time around the step is its cost.
      const keep =
        b === 0 && keepGradients
          ? (grads: tfjs.NamedTensorMap) => {
              keptGradients = grads;
              disposables.push(...Object.values(grads));
            }
          : undefined;
      probePacked.push(step(x, y, false, keep));
      tf.dispose([...x, ...y]);
    };
    // A big model's one-sample timing step is the probe when the budget has no room for a batch.
    let probeCut: string | undefined;
    if (calibration && noTimeFor(lastStepMs)) {
      probePacked.push(calibration);
      calibration = undefined;
      probeCut = `the ${budget} time budget left room for the probe on one sample only (no training)`;
    } else {
      probeBatch(0);
    }
    calibration?.dispose();
    let passMs = probeCut ? Math.max(1, lastStepMs) : Math.max(1, Date.now() - probeStarted);
    // The first pass also pays one-time costs (tfjs-layers' first call, wasm memory growth): when it
    // was cheap, the second probe batch, wanted anyway, gives the estimate instead.
    const wantedBatches = Math.max(1, Math.min(options.probeBatches, batchesPerEpoch));
    if (!probeCut && wantedBatches > 1 && passMs < 0.02 * options.timeBudgetMs) {
      const secondStarted = Date.now();
      probeBatch(1);
      passMs = Math.max(1, Math.min(passMs, Date.now() - secondStarted));
    }
    const recurrentLayers = model.layers.filter((l) => RECURRENT.has(nodes.get(l.name)?.type ?? ''));
    const plan = planProbe({
      passMs,
      remainingMs: options.timeBudgetMs - elapsed(),
      budgetMs: options.timeBudgetMs,
      trainingSteps: totalSteps,
      probeBatches: wantedBatches,
      // Other initializations are whole runs of their own (see `measure`), budgeted there.
      seeds: 1,
      simpleRnnLayers: recurrentLayers.filter((l) => nodes.get(l.name)?.type === 'simpleRNN').length,
      otherRecurrentLayers: recurrentLayers.filter((l) => nodes.get(l.name)?.type !== 'simpleRNN').length,
      judgesActivations: judged.length > 0,
      activationBatches: Math.ceil(activationSample[0]!.shape[0]! / batchSize),
    });
    if (!plan.parts.includes('after-update')) dropKeptGradients();
    const skipped: string[] = [];
    /** Runs an optional part of the probe when planned and the budget is not spent; notes what was left out. */
    const part = async <T>(name: ProbePart, run: () => Promise<T> | T, fallback: T): Promise<T> => {
      if (!plan.parts.includes(name) || overBudget() || probeCut) {
        if (plan.wanted.includes(name)) skipped.push(name);
        return fallback;
      }
      return run();
    };
    let probeBatchesDone = probePacked.length;
    for (let b = probeBatchesDone; b < plan.batches && !overBudget() && !probeCut; b++, probeBatchesDone++) probeBatch(b);
    if (probeBatchesDone < plan.batches || (plan.wanted.includes('batches') && !plan.parts.includes('batches'))) skipped.push('batches');
    const probeMean = tf.tidy(() => tf.mean(tf.stack(probePacked), 0));
    const probeValues = await probeMean.data();
    tf.dispose([probeMean, ...probePacked]);
    const initialWeightNorms = await weightNorms();
    const first = batch(undefined, 0);
    const probeActivations = await part('activations', () => activationStats(), {} as Record<string, ActivationStats>);
    // Per-time-step gradients: the simpleRNN rule needs them; for LSTM/GRU they are only shown.
    const probeTemporal = plan.parts.includes('temporal-all')
      ? await part('temporal-all', () => temporal(first.x, first.y, 'all'), [] as TemporalGradients[])
      : await part('temporal', () => temporal(first.x, first.y, 'simpleRNN'), [] as TemporalGradients[]);
    if (plan.wanted.includes('temporal-all') && !plan.parts.includes('temporal-all')) skipped.push('temporal-all');
    // One update, then look again: a layer that starts at zero recovers at once.
    const afterValues = await part(
      'after-update',
      async () => {
        const afterUpdate = tf.tidy(() => {
          if (keptGradients) {
            const grads = keptGradients;
            // As the step would: its draw number, and the forward pass's updates of layer state
            // (batch norm's moving statistics) when the model has any (non-trainable weights).
            seeded(() => {
              if (model.nonTrainableWeights.length) tf.dispose(dataLoss(first.x, first.y));
              applyUpdate(grads);
            });
          } else {
            tf.dispose(step(first.x, first.y, true));
          }
          const second = batch(undefined, Math.min(1, batchesPerEpoch - 1));
          return step(second.x, second.y, false);
        });
        const values = await afterUpdate.data();
        afterUpdate.dispose();
        return values;
      },
      undefined,
    );
    dropKeptGradients();
    const regularizationShare = await part('regularization', () => regularization(tf, model, (x, y) => seeded(() => dataLoss(x, y)), first.x, first.y), undefined);
    tf.dispose([...first.x, ...first.y]);
    const probeUnpacked = unpack(probeValues, 0, initialWeightNorms);
    const otherSeeds: { seed: number; kernelNorms: Record<string, number> }[] = [];
    const probe: ProbeResult = {
      layers: probeUnpacked.layers,
      loss: probeUnpacked.loss,
      activations: probeActivations,
      temporal: probeTemporal,
      ...(afterValues ? { afterFirstUpdate: unpack(afterValues, 0, await weightNorms()).layers } : {}),
      seeds: [{ seed: initSeed, kernelNorms: kernelNormsOf(probeUnpacked.layers) }, ...otherSeeds],
      ...(regularizationShare !== undefined ? { regularizationShare } : {}),
      elapsedMs: Date.now() - probeStarted,
      ...(skipped.length ? { reduced: { passMs, batches: probeBatchesDone, seeds: 1 + otherSeeds.length, skipped } } : {}),
    };
    events.probe?.(probe);

    // ---- training
    const recordedLosses: number[] = [];
    // Statistics of the epoch in progress and of the one before (a run cut at an epoch's start uses that).
    let currentEpoch = new Map<string, LayerGradients[]>();
    let previousEpoch = new Map<string, LayerGradients[]>();
    let latestActivations: Record<string, ActivationStats> = probeActivations;
    let stoppedBy: RunSummary['stoppedBy'] = probeCut ? 'budget' : options.probeOnly ? 'probe-only' : 'completed';
    let nonFinite: RunSummary['nonFinite'];
    let stepsDone = 0;
    let epochsDone = 0;
    const pending: { packed: tfjs.Tensor1D; step: number; epoch: number; weights?: tfjs.Tensor1D }[] = [];
    // Kernel weight norms (the update ratio's denominator) are sampled every few steps, before the
    // step's update, on a schedule of steps rather than of flushes: flushes follow the clock, and
    // the numbers must not. Weights change slowly, so a sample every 8 steps is close enough.
    let lastWeightNorms = initialWeightNorms;
    const sampleWeights = (): tfjs.Tensor1D | undefined => {
      if (stepsDone % WEIGHT_NORM_EVERY !== 0 || !kernels.length) return undefined;
      const kept = stepsDone === 0 ? probeSquaredNorms : undefined;
      probeSquaredNorms = undefined;
      return kept ?? squaredKernelNorms();
    };
    let lastFlush = Date.now();
    const flushInterval = control.flushIntervalMs ?? 50;
    const activationEvery = control.activationEvery ?? 25;

    const flush = async (activations?: { step: number; layers: Record<string, ActivationStats> }): Promise<void> => {
      if (!pending.length) return;
      const stacked = tf.stack(pending.map((p) => p.packed));
      const values = await stacked.data();
      stacked.dispose();
      const sampled = pending.filter((p) => p.weights);
      const weightValues = sampled.length ? await readAndDispose(tf.concat(sampled.map((p) => p.weights!))) : undefined;
      const records: StepRecord[] = [];
      let sample = 0;
      pending.forEach((p, k) => {
        // Steps after the first non-finite one ran only because reads follow the clock (a flush
        // every `flushInterval` ms): left out, so the numbers do not depend on the machine's speed.
        if (nonFinite && p.step > nonFinite.step) return;
        if (p.weights && weightValues) {
          const at = sample++ * kernels.length;
          lastWeightNorms = new Map(kernels.map((layer, i) => [layer.id, Math.sqrt(weightValues[at + i]!)]));
        }
        const { layers, loss } = unpack(values, k * width, lastWeightNorms);
        records.push({ step: p.step, epoch: p.epoch, loss, layers });
        recordedLosses.push(loss);
        if (!nonFinite) {
          if (!Number.isFinite(loss)) nonFinite = { step: p.step, what: 'loss' };
          for (const [id, stats] of Object.entries(layers)) {
            if (nonFinite) break;
            for (const [what, s] of Object.entries({ kernel: stats.kernel, bias: stats.bias, recurrentKernel: stats.recurrentKernel })) {
              if (s && !Number.isFinite(s.norm)) {
                nonFinite = { step: p.step, layerId: id, what: `${what} gradient` };
                break;
              }
            }
            if (!nonFinite && stats.weightNorm !== undefined && !Number.isFinite(stats.weightNorm)) nonFinite = { step: p.step, layerId: id, what: 'kernel weights' };
          }
        }
        for (const [id, stats] of Object.entries(layers)) {
          const list = currentEpoch.get(id) ?? [];
          list.push(stats);
          currentEpoch.set(id, list);
        }
      });
      tf.dispose(pending.flatMap((p) => (p.weights ? [p.packed, p.weights] : [p.packed])));
      pending.length = 0;
      lastFlush = Date.now();
      events.steps?.(records, activations);
    };

    const trainingStarted = Date.now();
    // A step's cost before the first one is timed: two probe passes (an update, and the optimizer's
    // first step allocates its slots: Adam's two moments per weight). The wasm and cpu backends
    // compute synchronously, so the time around a step is its cost.
    lastStepMs = 2 * passMs;
    if (!options.probeOnly && !probeCut) {
      outer: for (let epoch = 0; epoch < options.epochs; epoch++) {
        const order = permutation(data.samples, options.seed + epoch);
        for (let b = 0; b < batchesPerEpoch; b++) {
          if (control.cancelled()) {
            stoppedBy = 'cancelled';
            break outer;
          }
          // Stop before a step that would end past the budget (the host terminates a run that
          // overruns it by more than its grace period, losing everything measured).
          if (noTimeFor(lastStepMs)) {
            stoppedBy = 'budget';
            break outer;
          }
          const { x, y } = batch(order, b);
          const stepStarted = Date.now();
          const weights = sampleWeights();
          pending.push({ packed: step(x, y, true), step: stepsDone, epoch, ...(weights ? { weights } : {}) });
          lastStepMs = Date.now() - stepStarted;
          let activations: { step: number; layers: Record<string, ActivationStats> } | undefined;
          if (stepsDone % activationEvery === 0 && judged.length && !noTimeFor(activationMs + lastStepMs)) {
            latestActivations = await activationStats();
            activations = { step: stepsDone, layers: latestActivations };
          }
          tf.dispose([...x, ...y]);
          stepsDone++;
          if (Date.now() - lastFlush >= flushInterval || activations) await flush(activations);
          if (nonFinite) {
            stoppedBy = 'non-finite';
            break outer;
          }
          await control.yieldToEvents?.();
        }
        await flush();
        if (nonFinite) {
          stoppedBy = 'non-finite';
          break;
        }
        epochsDone = epoch + 1;
        if (epoch < options.epochs - 1) {
          previousEpoch = currentEpoch;
          currentEpoch = new Map();
        }
      }
      await flush();
      // Dead and saturated units as training left them (units die during training; the samples
      // above are every `activationEvery` steps), on the first batch, the same in every run.
      if (judged.length && stepsDone > 0 && !nonFinite && stoppedBy === 'completed' && !noTimeFor(activationMs)) {
        latestActivations = await activationStats();
      }
    }

    // The CLI's gradNorm: mean kernel norm over the last epoch's steps (the probe when there was no training).
    const summaries: Record<string, LayerSummary> = {};
    for (const layer of tracked) {
      const stats = currentEpoch.get(layer.id) ?? previousEpoch.get(layer.id) ?? [probe.layers[layer.id]!];
      const mean = (pick: (s: LayerGradients) => number | undefined): number | null => {
        const values = stats.map(pick).filter((v): v is number => v !== undefined);
        return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
      };
      const activations = latestActivations[layer.id];
      summaries[layer.id] = {
        gradNorm: mean((s) => s.kernel?.norm),
        biasGradNorm: mean((s) => s.bias?.norm),
        meanAbs: mean((s) => s.kernel?.meanAbs),
        maxAbs: mean((s) => s.kernel?.maxAbs),
        updateRatio: mean((s) => s.updateRatio),
        ...(activations ? { activations } : {}),
      };
    }
    // Activation-only layers (an `activation` layer after a dense) are judged too.
    for (const [id, activations] of Object.entries(latestActivations)) {
      if (!summaries[id]) summaries[id] = { gradNorm: null, biasGradNorm: null, meanAbs: null, maxAbs: null, updateRatio: null, activations };
    }
    // Partial: the budget ended the run before its training did (a probe reduced to fit the budget
    // while training completed is not partial; `probe.reduced` says what it left out).
    const probeNote = skipped.length ? `; probe parts left out: ${skipped.join(', ')}` : '';
    const partial =
      probeCut ??
      (stoppedBy !== 'budget'
        ? undefined
        : stepsDone === 0
          ? `the ${budget} time budget ran out during the probe at initialization (${probeBatchesDone} of ${wantedBatches} probe batches${probeNote}; no training)`
          : `the ${budget} time budget ran out after ${stepsDone} of ${totalSteps} training steps${probeNote}`);
    return {
      backend,
      stoppedBy,
      steps: nonFinite ? nonFinite.step + 1 : stepsDone,
      epochs: epochsDone,
      elapsedMs: elapsed(),
      trainingMs: Date.now() - trainingStarted,
      losses: recordedLosses,
      layers: summaries,
      probe,
      ...(nonFinite ? { nonFinite } : {}),
      trainableLayers: tracked.map((l) => l.id),
      ...(partial ? { partial: { reason: partial } } : {}),
      ...(batchSize !== options.batchSize ? { batchSize } : {}),
      ...(notes.length ? { notes } : {}),
      initSeed,
      ...(batchSize < requestedBatch ? { scaledBatch: { requested: requestedBatch, used: batchSize, estimatedPassMs: Math.round(passMsAt(forwardCost, requestedBatch)) } } : {}),
    };
  } catch (error) {
    // A backend out of memory (tfjs wasm: "memory access out of bounds", "Aborted()") is said
    // plainly, on the layer with the largest output; the host replaces the worker after it.
    const message = error instanceof Error ? error.message : String(error);
    if (!(error instanceof MeasureError) && isOutOfMemory(message)) {
      throw new MeasureError(`The ${backend} backend ran out of memory while training this model (${message.split('\n')[0]}). A smaller input shape, fewer filters or a smaller batch size would fit.`, largestLayer, true);
    }
    throw error;
  } finally {
    tf.dispose(disposables);
    optimizer?.dispose();
    // The side model shares the layers of `model`: disposing `model` releases everything.
    model.dispose();
  }
}

function megabytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.ceil(bytes / 1024 ** 2)} MB`;
}

function kernelNormsOf(layers: Readonly<Record<string, LayerGradients>>): Record<string, number> {
  return Object.fromEntries(Object.entries(layers).flatMap(([id, s]) => (s.kernel ? [[id, s.kernel.norm]] : [])));
}

/** The regularization terms' share of the total loss on a batch, when the model has any. */
async function regularization(
  tf: Tfjs,
  model: tfjs.LayersModel,
  dataLoss: (x: tfjs.Tensor[], y: tfjs.Tensor[]) => tfjs.Scalar,
  x: tfjs.Tensor[],
  y: tfjs.Tensor[],
): Promise<number | undefined> {
  const terms = model.calculateLosses();
  if (!terms.length) return undefined;
  const packed = tf.tidy(() => tf.stack([tf.addN(terms), dataLoss(x, y)]));
  tf.dispose(terms);
  const [reg, data] = await packed.data();
  packed.dispose();
  return reg! / Math.max(reg! + data!, 1e-30);
}

/**
 * Gradient of the loss w.r.t. each recurrent layer's input, per time step (all recurrent layers,
 * or simpleRNNs only), in any graph (sequential or functional, merges included): the layer's input
 * gets a zero tensor added while the whole model runs, and the gradient is taken w.r.t. that
 * tensor. Layers whose input has an unknown time dimension are skipped.
 */
function temporalGradients(
  tf: Tfjs,
  model: tfjs.LayersModel,
  graph: ModelGraph,
  x: tfjs.Tensor[],
  y: tfjs.Tensor[],
  lossFns: ((yTrue: tfjs.Tensor, yPred: tfjs.Tensor) => tfjs.Scalar)[],
  which: 'all' | 'simpleRNN',
): TemporalGradients[] {
  const results: TemporalGradients[] = [];
  const batchSize = x[0]?.shape[0];
  if (batchSize === undefined) return results;
  for (const layer of model.layers) {
    const node = graph.layers.find((l) => l.id === layer.name);
    if (!node || !RECURRENT.has(node.type) || (which === 'simpleRNN' && node.type !== 'simpleRNN')) continue;
    const input = Array.isArray(layer.input) ? layer.input[0]! : layer.input;
    const shape = input.shape.slice(1);
    if (shape.length !== 2 || shape.some((d) => d === null)) continue;
    const target = layer as unknown as { call: (inputs: tfjs.Tensor | tfjs.Tensor[], kwargs: unknown) => tfjs.Tensor | tfjs.Tensor[] };
    const original = target.call;
    const lossOfShift = (shift: tfjs.Tensor): tfjs.Scalar => {
      target.call = (inputs, kwargs) => original.call(layer, Array.isArray(inputs) ? [tf.add(inputs[0]!, shift), ...inputs.slice(1)] : tf.add(inputs, shift), kwargs);
      try {
        const out = model.apply(x.length === 1 ? x[0]! : x, { training: true });
        const predictions = (Array.isArray(out) ? out : [out]) as tfjs.Tensor[];
        return predictions.map((p, i) => lossFns[i]!(y[i]!, p)).reduce((a, b) => tf.add(a, b)) as tfjs.Scalar;
      } finally {
        target.call = original;
      }
    };
    const values = tf.tidy(() => {
      const g = tf.grad(lossOfShift)(tf.zeros([batchSize, ...(shape as number[])]));
      // [batch, time, features] -> one norm per time step
      return tf.sqrt(tf.sum(tf.square(g), [0, 2]));
    });
    results.push({ layerId: layer.name, perTimeStep: Array.from(values.dataSync()) });
    values.dispose();
  }
  return results;
}
