/**
 * Keras activations that tfjs lacks but the worker can still train: the layer runs with a
 * linear activation and a weightless layer after it computes the activation (a declared
 * stand-in). Shared by the Keras front end (to say so) and the worker (to build it).
 */
import { editDistance } from './text';
export const ACTIVATION_STAND_INS: ReadonlySet<string> = new Set(['exponential']);

/**
 * The activation names tfjs-layers 4.22 registers (`className` of each class in its
 * activations.ts); any other string makes `tf.layers.*` throw "Unknown activation".
 */
export const TFJS_ACTIVATIONS: ReadonlySet<string> = new Set([
  'elu', 'selu', 'relu', 'relu6', 'linear', 'sigmoid', 'hardSigmoid', 'softplus', 'softsign', 'tanh',
  'softmax', 'logSoftmax', 'gelu', 'gelu_new', 'mish', 'swish',
]);

/** Config keys that name an activation function. */
const ACTIVATION_KEYS = ['activation', 'recurrentActivation'];

/** A spelling folded for comparison: `Leaky_ReLU` and `leakyrelu` alike. */
function fold(name: string): string {
  return name.toLowerCase().replace(/[_\s-]/g, '');
}

/**
 * The tfjs activation `name` was probably meant as: the same name but for case and `_`
 * (`Relu`, `hard_sigmoid`), else the one closest within 2 edits (`re`, `sigmod`), when only one is.
 */
export function nearestActivation(name: string): string | undefined {
  const wanted = fold(name);
  const exact = [...TFJS_ACTIVATIONS].find((a) => fold(a) === wanted);
  if (exact) return exact;
  // A name typed halfway (`re`, `sigm`) is the shortest activation it starts.
  const started = [...TFJS_ACTIVATIONS].filter((a) => wanted.length >= 2 && fold(a).startsWith(wanted)).sort((a, b) => a.length - b.length);
  if (started.length) return started.length === 1 || started[0]!.length < started[1]!.length ? started[0] : undefined;
  let best: string[] = [];
  let bestDistance = Math.min(2, Math.max(1, wanted.length - 2)) + 1;
  for (const candidate of TFJS_ACTIVATIONS) {
    const distance = editDistance(wanted, fold(candidate));
    if (distance < bestDistance) [best, bestDistance] = [[candidate], distance];
    else if (distance === bestDistance) best.push(candidate);
  }
  return best.length === 1 ? best[0] : undefined;
}


/**
 * An activation string in `config` that tfjs does not know and the worker has no stand-in for
 * (`activation: 're'` while typing, `'leaky_relu'` in TS): the key, the value and a likely
 * meant name. Such a layer cannot be built, so the model cannot train as written.
 */
export function unknownActivation(config: Readonly<Record<string, unknown>>): { key: string; value: string; near?: string } | undefined {
  for (const key of ACTIVATION_KEYS) {
    const value = config[key];
    if (typeof value !== 'string' || TFJS_ACTIVATIONS.has(value) || ACTIVATION_STAND_INS.has(value)) continue;
    const near = nearestActivation(value);
    return { key, value, ...(near ? { near } : {}) };
  }
  return undefined;
}
