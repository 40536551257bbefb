import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { planTranspose, registerWasmTranspose, runTransposePlan, startTranspose } from '../../src/training/wasmTranspose';
import { seededRandom } from '../../src/training/seeding';

setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`);

type Dtype = 'float32' | 'int32' | 'bool';
interface Case {
  readonly shape: number[];
  readonly perm: number[];
  readonly dtype: Dtype;
  readonly values: Float32Array | Int32Array | Uint8Array;
}

function shuffled(n: number, random: () => number): number[] {
  const perm = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  return perm;
}

function valuesFor(dtype: Dtype, size: number, random: () => number): Case['values'] {
  // int32: any 32-bit pattern (as float32 these include NaN payloads and denormals).
  if (dtype === 'int32') return Int32Array.from({ length: size }, () => (random() * 2 ** 32) | 0);
  if (dtype === 'bool') return Uint8Array.from({ length: size }, () => (random() < 0.5 ? 1 : 0));
  return Float32Array.from({ length: size }, () => (random() - 0.5) * 10 ** Math.floor(random() * 12 - 6));
}

/**
 * The cases: shapes the training transposes (conv filter gradient, matrix products), shapes that
 * hit each path of the kernel (4x4 tiles and their edges, column blocks of 64, rows copied by
 * vectors and by memory.copy, 4 outer axes), then 600 random shapes and perms of rank 1-6 with
 * size-1 and zero-size axes.
 */
function cases(): Case[] {
  const random = seededRandom(19);
  const fixed: [number[], number[]][] = [
    [[32, 32, 32, 16], [3, 1, 2, 0]],
    [[32, 32, 32, 16], [1, 2, 0, 3]],
    [[3, 3, 16, 32], [0, 1, 3, 2]],
    [[512, 512], [1, 0]],
    [[67, 130], [1, 0]],
    [[130, 67], [1, 0]],
    [[3, 4, 100], [1, 0, 2]],
    [[3, 4, 63], [1, 0, 2]],
    [[5, 3], [1, 0]],
    [[2, 3, 4, 5, 6, 7], [5, 3, 1, 4, 0, 2]],
    [[2, 3, 4, 5, 6, 7], [1, 0, 3, 2, 5, 4]],
    [[1, 5], [1, 0]],
    [[4, 1, 1, 8], [3, 2, 1, 0]],
    [[0, 3, 4], [2, 0, 1]],
    [[7], [0]],
    [[], []],
  ];
  const list: Case[] = fixed.map(([shape, perm], i) => {
    const dtype = i % 2 ? 'int32' : 'float32';
    return { shape, perm, dtype, values: valuesFor(dtype, tf.util.sizeFromShape(shape), random) };
  });
  const sizes = [0, 1, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33, 70];
  while (list.length < 616) {
    const rank = 1 + Math.floor(random() * 6);
    const shape = Array.from({ length: rank }, () => sizes[Math.floor(random() * sizes.length)]!);
    if (tf.util.sizeFromShape(shape) > 60_000) continue;
    const dtype: Dtype = random() < 0.45 ? 'float32' : random() < 0.85 ? 'int32' : 'bool';
    list.push({ shape, perm: shuffled(rank, random), dtype, values: valuesFor(dtype, tf.util.sizeFromShape(shape), random) });
  }
  return list;
}

/** Each case's transpose as raw bytes on the current backend. */
function transposeAll(list: Case[]): Uint8Array[] {
  return list.map(({ shape, perm, dtype, values }) =>
    tf.tidy(() => {
      const y = tf.transpose(tf.tensor(values, shape, dtype), perm);
      assert.deepEqual(y.shape, perm.map((a) => shape[a]));
      const data = y.dataSync();
      return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    }),
  );
}

test('a missing module is reported and tfjs\' kernel stays registered', async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  const theirs = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
  assert.match(String(registerWasmTranspose(tf, '/nonexistent')), /gradient-lens-kernels\.wasm is missing/);
  assert.equal(tf.getKernel('Transpose', 'wasm')!.kernelFunc, theirs);
  assert.deepEqual(Array.from(tf.transpose(tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]), [1, 0]).dataSync()), [1, 4, 2, 5, 3, 6]);
});

test('our wasm Transpose equals the cpu backend bit for bit on 616 shapes and perms of rank 0-6, and leaves no tensor behind', async () => {
  const list = cases();
  await tf.setBackend('cpu');
  const expected = transposeAll(list);
  await tf.setBackend('wasm');
  await tf.ready();
  const theirs = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
  assert.equal(registerWasmTranspose(tf, __dirname), undefined);
  assert.notEqual(tf.getKernel('Transpose', 'wasm')!.kernelFunc, theirs, 'ours is registered');
  const before = tf.memory().numTensors;
  const got = transposeAll(list);
  assert.equal(tf.memory().numTensors, before);
  list.forEach((c, i) => assert.deepEqual(got[i], expected[i], `${c.dtype} [${c.shape.join(', ')}] by [${c.perm.join(', ')}]`));
});

test('a transpose by the identity perm shares the data, and outlives its input', async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  assert.equal(registerWasmTranspose(tf, __dirname), undefined);
  const x = tf.tensor([1, 2, 3, 4, 5], [1, 5]);
  const y = tf.transpose(x, [0, 1]);
  assert.equal(y.dataId, x.dataId);
  x.dispose();
  assert.deepEqual(y.shape, [1, 5]);
  assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4, 5]);
  y.dispose();
});

test('a transpose that only moves size-1 axes is a copy: XNNPACK caches a packed product operand by tensor id, so a shared id would be packed for the old shape', async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  assert.equal(registerWasmTranspose(tf, __dirname), undefined);
  const random = seededRandom(21);
  const w = tf.tensor(Float32Array.from({ length: 16 }, () => random() - 0.5), [16, 1]);
  const x = tf.tensor(Float32Array.from({ length: 32 * 16 }, () => random() - 0.5), [32, 16]);
  const dy = tf.tensor(Float32Array.from({ length: 32 }, () => random() - 0.5), [32, 1]);
  // The forward product packs w as [16, 1]; the input gradient's dy w^T uses w as [1, 16].
  tf.matMul(x, w).dispose();
  const wt = tf.transpose(w, [1, 0]);
  assert.notEqual(wt.dataId, w.dataId);
  const got = tf.matMul(dy, wt).dataSync();
  const wv = w.dataSync();
  const dyv = dy.dataSync();
  got.forEach((v, k) => assert.ok(Math.abs(v - dyv[Math.floor(k / 16)]! * wv[k % 16]!) < 1e-6, `element ${k}: ${v}`));
  tf.dispose([w, x, dy, wt]);
});

test('the plan merges axes that stay adjacent and picks rows or tiles', () => {
  // [32, 32, 32, 16] -> [3, 1, 2, 0]: axes 1 and 2 move together; a [32, 16] matrix per index of them.
  assert.deepEqual(planTranspose([32, 32, 32, 16], [3, 1, 2, 0]), { kind: 'tiles', rows: 32, cols: 16, srcRow: 16384, dstRow: 32768, outer: [[1024, 16, 32]] });
  // [1, 2, 0, 3]: rows of 16 elements, copied.
  assert.deepEqual(planTranspose([32, 32, 32, 16], [1, 2, 0, 3]), { kind: 'rows', rows: 32, cols: 16, srcRow: 16384, dstRow: 16, outer: [[1024, 16, 512]] });
  assert.deepEqual(planTranspose([4, 1, 6], [1, 0, 2]), { kind: 'identity' });
  assert.deepEqual(planTranspose([2, 3, 4], [0, 1, 2]), { kind: 'identity' });
});

test('the shared-memory binary (the threaded build) transposes on a shared memory', () => {
  const WebAssemblyApi = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer } } }).WebAssembly;
  const memory = new WebAssemblyApi.Memory({ initial: 4, maximum: 65536, shared: true });
  const exports = startTranspose(memory, __dirname);
  if (typeof exports === 'string') assert.fail(exports);
  const random = seededRandom(7);
  const shapes = [[[6, 9, 10], [2, 0, 1]], [[5, 8, 12], [1, 0, 2]], [[3, 70, 5], [2, 1, 0]]] as const;
  // Each case without and with the scratch buffer (matrices of up to 4,096 elements stage there).
  for (const [scratch, [shape, perm]] of [0, 131072].flatMap((at) => shapes.map((c) => [at, c] as const))) {
    const size = tf.util.sizeFromShape([...shape]);
    const input = new Int32Array(memory.buffer, 1024, size);
    input.set(Int32Array.from({ length: size }, () => (random() * 2 ** 32) | 0));
    const outAt = 1024 + size * 4;
    const plan = planTranspose(shape, perm);
    assert.notEqual(plan.kind, 'identity');
    if (plan.kind === 'identity') return;
    assert.ok(runTransposePlan(exports, plan, 1024, outAt, scratch));
    const output = new Int32Array(memory.buffer, outAt, size);
    // The reference: output index -> input index through the strides.
    const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    const outShape = perm.map((a) => shape[a]!);
    for (let o = 0; o < size; o++) {
      let rest = o;
      let from = 0;
      for (let k = outShape.length - 1; k >= 0; k--) {
        from += (rest % outShape[k]!) * inStrides[perm[k]!]!;
        rest = Math.floor(rest / outShape[k]!);
      }
      assert.equal(output[o], input[from], `[${shape.join(', ')}] by [${perm.join(', ')}] at ${o}`);
    }
  }
});
