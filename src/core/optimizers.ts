/**
 * Optimizers tfjs has, and the nearest tfjs optimizer for those it lacks (Keras-only names like
 * Nadam, AdamW, Lion, FTRL). Both front ends train a model whose Keras optimizer tfjs lacks
 * with the nearest tfjs one and say so, never "Unknown optimizer". Pure data, no imports.
 */

/** Optimizer name strings tfjs' `compile` understands, lower case (it reads `'Adam'` too). */
export const TFJS_OPTIMIZER_NAMES: ReadonlySet<string> = new Set(['sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax']);

/**
 * Keras optimizers tfjs lacks -> the nearest tfjs one, with why. The update rule differs, so the
 * run says which optimizer it used; the rate and the shared parameters carry over.
 * Nadam is Adam with Nesterov momentum; AdamW is Adam with decoupled weight decay (dropped);
 * Lion, Adafactor and LAMB are adaptive per-weight methods whose closest tfjs twin is Adam;
 * FTRL keeps per-coordinate accumulated squared gradients, like Adagrad.
 */
export const NEAREST_OPTIMIZER: Readonly<Record<string, string>> = {
  nadam: 'adam', adamw: 'adam', lion: 'adam', adafactor: 'adam', lamb: 'adam', lazyadam: 'adam',
  ftrl: 'adagrad', proximaladagrad: 'adagrad', adagradda: 'adagrad',
};

/** Human names of the optimizers, for messages ("Adam's default"). */
export const OPTIMIZER_TITLES: Readonly<Record<string, string>> = {
  sgd: 'SGD', adam: 'Adam', rmsprop: 'RMSprop', adagrad: 'Adagrad', adadelta: 'Adadelta', adamax: 'Adamax',
};

/**
 * The tfjs optimizer to train with in place of `name`, a Keras optimizer tfjs lacks (any
 * spelling: `'Nadam'`, `'nadam'`, `'lazy_adam'`); undefined for any other name: tfjs has it, or
 * it is no optimizer at all (a misspelling fails as it does in tfjs, with its name).
 */
export function nearestTfjsOptimizer(name: string): { readonly name: string; readonly title: string } | undefined {
  const nearest = NEAREST_OPTIMIZER[name.toLowerCase().replace(/[_\s-]/g, '')];
  return nearest === undefined ? undefined : { name: nearest, title: OPTIMIZER_TITLES[nearest] ?? nearest };
}
