/**
 * Keras activations that tfjs lacks but the worker can still train: the layer runs with a
 * linear activation and a weightless layer after it computes the activation (a declared
 * stand-in). Shared by the Keras front end (to say so) and the worker (to build it).
 */
export const ACTIVATION_STAND_INS: ReadonlySet<string> = new Set(['exponential']);
