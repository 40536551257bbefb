/**
 * One seed drives every random draw of a measurement run: weights, data, shuffling, dropout and
 * noise layers. Worker side (tfjs objects), but tfjs-free itself so it is cheap to test.
 *
 * How tfjs takes seeds (4.22): every random initializer (RandomUniform/Normal, TruncatedNormal,
 * VarianceScaling and its glorot/he/leCun forms, Orthogonal) keeps a `seed` field read when the
 * weights are made; an unset or zero seed falls back to `Math.random()`. The Dropout layer passes
 * its own fixed `seed` to every call, which would give the same mask at every step, and the noise
 * layers (GaussianNoise, GaussianDropout, AlphaDropout) and RNN dropout masks take no seed at all.
 * So initializers get explicit seeds, and each step runs with `Math.random` replaced by a seeded
 * generator for its (synchronous) duration: fresh masks per step, the same ones on every run.
 */

/** A 31-bit, non-zero seed mixed from integers (FNV-1a over their bytes, then an avalanche). */
export function deriveSeed(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    let v = Math.trunc(part) >>> 0;
    for (let k = 0; k < 4; k++) {
      h ^= v & 0xff;
      h = Math.imul(h, 0x01000193);
      v >>>= 8;
    }
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return (h & 0x7fffffff) || 1;
}

/** mulberry32: a small, fast generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Runs `fn` with `Math.random` drawing from `seed`, restoring it afterwards. Only for synchronous
 * work: nothing else can run in between, so the sequence of draws is the run's own.
 */
export function withSeededRandom<T>(seed: number, fn: () => T): T {
  const original = Math.random;
  Math.random = seededRandom(seed);
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

interface SeedableInitializer {
  seed?: number | null;
  apply(...args: unknown[]): unknown;
}

function isSeedableInitializer(value: unknown): value is SeedableInitializer {
  return typeof value === 'object' && value !== null && 'seed' in value && typeof (value as { apply?: unknown }).apply === 'function' && typeof (value as { getConfig?: unknown }).getConfig === 'function';
}

/** tfjs keeps sub-layers in these fields: an RNN's cell, stacked cells, wrappers' inner layers. */
const NESTED = ['cell', 'cells', 'layer', 'forwardLayer', 'backwardLayer'] as const;

/**
 * Gives every random initializer of a freshly constructed layer (and of its cells and wrapped
 * layers) a seed derived from `seed`, in a fixed order of fields, unless the user's code set one
 * (their `seed=` is honoured, as it would be in their own run). Call before the layer is built
 * (added to a model or applied), when its weights are made. Returns how many were seeded.
 */
export function seedInitializers(layer: object, seed: number): number {
  let slot = 0;
  const seen = new Set<object>();
  const visit = (target: object): void => {
    if (seen.has(target)) return;
    seen.add(target);
    const record = target as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const value = record[key];
      if (key.endsWith('Initializer') && isSeedableInitializer(value) && seen.has(value) === false) {
        seen.add(value);
        slot++;
        if (value.seed === undefined || value.seed === null || value.seed === 0) value.seed = deriveSeed(seed, slot);
      }
    }
    for (const key of NESTED) {
      const value = record[key];
      const list = Array.isArray(value) ? value : [value];
      for (const item of list) if (typeof item === 'object' && item !== null) visit(item as object);
    }
  };
  visit(layer);
  return slot;
}
