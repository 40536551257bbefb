/** Comparing float results of two backends or two implementations, for the kernel and layer tests. */
import assert from 'node:assert/strict';

/**
 * max |a - b| / max |b| (unitless). A reference that is all zeros would make any result pass a
 * relative bound, so it fails the test unless `zeroReference` is 'absolute' (then max |a - b|).
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, zeroReference: 'fail' | 'absolute' = 'fail'): number {
  assert.equal(a.length, b.length, 'result sizes differ');
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  if (scale === 0) {
    assert.ok(zeroReference === 'absolute', 'the reference is all zeros, which would prove nothing');
    return diff;
  }
  return diff / scale;
}
