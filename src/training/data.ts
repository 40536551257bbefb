/**
 * Training data for a measurement run: synthetic by default, shaped like the model's inputs and
 * labelled like its loss; or the user's own rows. Seeded and deterministic.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { ModelGraph } from '../core/ir';
import type { UserData } from './protocol';
import type { Tfjs } from './buildModel';
import { seededRandom } from './seeding';

export class DataError extends Error {}

export interface Dataset {
  readonly inputs: tfjs.Tensor[];
  readonly labels: tfjs.Tensor[];
  readonly samples: number;
}

export type LossKind = 'categorical' | 'sparse' | 'binary' | 'regression';

export function lossKind(loss: string): LossKind {
  const name = loss.toLowerCase();
  if (name.includes('sparse')) return 'sparse';
  if (name.includes('categorical') || name === 'kullbackleiblerdivergence' || name === 'kld') return 'categorical';
  if (name.includes('binary') || name === 'hinge' || name === 'squaredhinge') return 'binary';
  return 'regression';
}

/**
 * Integer inputs for embeddings: the vocabulary size of the embedding that reads an input (the
 * first layer of a Sequential, after its `Input` if it has one).
 */
function embeddingVocabulary(graph: ModelGraph, inputIndex: number): number | undefined {
  const first = graph.kind === 'sequential'
    ? graph.layers.find((l) => l.type !== 'inputLayer')
    : graph.layers.find((l) => l.inbound.includes(graph.inputs[inputIndex] ?? ''));
  if (first?.type === 'embedding' && typeof first.config.inputDim === 'number') return first.config.inputDim;
  return undefined;
}

function concreteShape(shape: readonly (number | null)[], samples: number, what: string): number[] {
  const rest = shape.slice(1);
  if (rest.some((d) => d === null || d < 0)) throw new DataError(`${what} has an unknown dimension (${JSON.stringify(shape)}); give it a fixed size to train.`);
  return [samples, ...(rest as number[])];
}

export function syntheticData(tf: Tfjs, model: tfjs.LayersModel, graph: ModelGraph, losses: readonly string[], samples: number, seed: number): Dataset {
  return tf.tidy(() => {
    const inputs = model.inputs.map((input, i) => {
      const shape = concreteShape(input.shape, samples, `Input ${i + 1}`);
      const vocabulary = embeddingVocabulary(graph, i);
      const data = vocabulary !== undefined ? tf.floor(tf.randomUniform(shape, 0, vocabulary, 'float32', seed + i)) : tf.randomNormal(shape, 0, 1, 'float32', seed + i);
      // An input declared integer (`Input(dtype="int32")`, token ids) is fed integers: tfjs refuses a float feed.
      return input.dtype === 'int32' ? data.toInt() : data;
    });
    const labels = model.outputs.map((output, i) => {
      const shape = concreteShape(output.shape, samples, `Output ${i + 1}`);
      const kind = lossKind(losses[i] ?? losses[0] ?? 'meanSquaredError');
      const labelSeed = seed + 1000 + i;
      const classes = shape[shape.length - 1]!;
      // One class (cross-entropy on a one-unit output): every label is that class.
      if ((kind === 'categorical' || kind === 'sparse') && classes === 1) return kind === 'sparse' ? tf.zeros([...shape.slice(0, -1), 1]) : tf.ones(shape);
      if (kind === 'categorical') {
        const ids = tf.floor(tf.randomUniform(shape.slice(0, -1), 0, classes, 'float32', labelSeed)).toInt();
        return tf.oneHot(ids.flatten(), classes).reshape(shape).toFloat();
      }
      if (kind === 'sparse') {
        return tf.floor(tf.randomUniform([...shape.slice(0, -1), 1], 0, classes, 'float32', labelSeed));
      }
      if (kind === 'binary') return tf.round(tf.randomUniform(shape, 0, 1, 'float32', labelSeed));
      return tf.randomNormal(shape, 0, 1, 'float32', labelSeed);
    });
    return { inputs, labels, samples };
  });
}

/** The user's rows, checked against the model's shapes; a mismatch is a clear error. */
export function userData(tf: Tfjs, model: tfjs.LayersModel, data: UserData): Dataset {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new DataError('A data file can only feed a model with one input and one output.');
  const samples = data.inputs.length;
  if (samples === 0) throw new DataError('The data file has no rows.');
  if (data.labels.length !== samples) throw new DataError(`The data file has ${samples} inputs but ${data.labels.length} labels.`);
  const inputShape = concreteShape(model.inputs[0]!.shape, samples, 'The model input');
  const labelShape = concreteShape(model.outputs[0]!.shape, samples, 'The model output');
  const flat = (rows: readonly unknown[], what: string): number[] =>
    rows.flatMap((row) => (Array.isArray(row) ? (row.flat(Infinity) as unknown[]) : [row])).map((v) => {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new DataError(`The data file's ${what} contain a value that is not a finite number: ${JSON.stringify(v)}.`);
      return n;
    });
  const x = flat(data.inputs, 'inputs');
  const y = flat(data.labels, 'labels');
  const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
  if (x.length !== size(inputShape)) {
    throw new DataError(`Each input row must have ${size(inputShape) / samples} values for the model's input shape ${JSON.stringify(model.inputs[0]!.shape.slice(1))}; the file has ${x.length / samples}.`);
  }
  let labels: tfjs.Tensor;
  if (y.length === size(labelShape)) labels = tf.tensor(y, labelShape);
  else if (y.length === samples && labelShape[labelShape.length - 1]! > 1) labels = tf.oneHot(tf.tensor1d(y, 'int32'), labelShape[labelShape.length - 1]!).toFloat();
  else throw new DataError(`Each label must have ${size(labelShape) / samples} values (or one class index) for the model's output shape ${JSON.stringify(model.outputs[0]!.shape.slice(1))}.`);
  return { inputs: [tf.tensor(x, inputShape)], labels: [labels], samples };
}

/** A seeded permutation (mulberry32 + Fisher-Yates), the same for the same seed. */
export function permutation(n: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
