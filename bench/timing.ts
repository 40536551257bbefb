/** Timing helpers shared by the kernel benchmarks. */
import type * as tfjs from '@tensorflow/tfjs';

export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Median ms of `repeats` calls of `f` inside a tidy, after one warm-up call, each result read
 * back and disposed. (A result left undisposed grows the wasm memory, and the fresh pages made
 * later calls 3-15x slower in early versions of these benchmarks.)
 */
export function timeTensor(tf: typeof tfjs, f: () => tfjs.Tensor, repeats: number): number {
  tf.tidy(f).dispose();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    const out = tf.tidy(f);
    out.dataSync();
    times.push(performance.now() - started);
    out.dispose();
  }
  return median(times);
}
