/**
 * The recorded gradient norms are right: compared with central finite differences of the same
 * loss computed by an independent float64 forward pass written here in plain JS, on small
 * dense, conv and RNN models. And recording leaks no tensor over 500 steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ModelGraph } from '../../src/core/ir';
import { parseModels } from '../../src/core/parse/index';
import { buildModel } from '../../src/training/buildModel';
import { syntheticData } from '../../src/training/data';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunOptions } from '../../src/training/protocol';

type Weights = Float64Array[];
type Forward = (x: Float64Array, w: Weights) => Float64Array;

const act = (name: string | undefined) => (v: number): number =>
  name === 'tanh' ? Math.tanh(v) : name === 'sigmoid' ? 1 / (1 + Math.exp(-v)) : name === 'relu' ? Math.max(0, v) : v;

/** Dense: x [n], kernel [n, m], bias [m]. */
function dense(x: Float64Array, kernel: Float64Array, bias: Float64Array, m: number, activation?: string): Float64Array {
  const n = x.length;
  const out = new Float64Array(m);
  const f = act(activation);
  for (let j = 0; j < m; j++) {
    let s = bias[j]!;
    for (let i = 0; i < n; i++) s += x[i]! * kernel[i * m + j]!;
    out[j] = f(s);
  }
  return out;
}

/** Valid, stride-1 conv2d: x [h, w, c], kernel [k, k, c, f]. */
function conv2d(x: Float64Array, h: number, w: number, c: number, kernel: Float64Array, bias: Float64Array, k: number, f: number, activation?: string): Float64Array {
  const oh = h - k + 1;
  const ow = w - k + 1;
  const out = new Float64Array(oh * ow * f);
  const g = act(activation);
  for (let r = 0; r < oh; r++) for (let q = 0; q < ow; q++) for (let o = 0; o < f; o++) {
    let s = bias[o]!;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let d = 0; d < c; d++) s += x[((r + i) * w + (q + j)) * c + d]! * kernel[((i * k + j) * c + d) * f + o]!;
    out[(r * ow + q) * f + o] = g(s);
  }
  return out;
}

/** simpleRNN (tanh), returns the last state: x [t, c], kernel [c, u], recurrent [u, u], bias [u]. */
function simpleRnn(x: Float64Array, t: number, c: number, kernel: Float64Array, recurrent: Float64Array, bias: Float64Array, u: number): Float64Array {
  let h = new Float64Array(u);
  for (let s = 0; s < t; s++) {
    const next = new Float64Array(u);
    for (let j = 0; j < u; j++) {
      let v = bias[j]!;
      for (let i = 0; i < c; i++) v += x[s * c + i]! * kernel[i * u + j]!;
      for (let i = 0; i < u; i++) v += h[i]! * recurrent[i * u + j]!;
      next[j] = Math.tanh(v);
    }
    h = next;
  }
  return h;
}

interface Case {
  readonly source: string;
  readonly forward: Forward;
}

const seeded = (seed: number) => `tf.initializers.glorotUniform({seed: ${seed}})`;
const biasInit = (seed: number) => `tf.initializers.randomNormal({stddev: 0.1, seed: ${seed}})`;

const CASES: Record<string, Case> = {
  dense: {
    source: `m.add(tf.layers.dense({units: 5, activation: 'tanh', inputShape: [4], kernelInitializer: ${seeded(1)}, biasInitializer: ${biasInit(2)}}));
m.add(tf.layers.dense({units: 3, activation: 'sigmoid', kernelInitializer: ${seeded(3)}, biasInitializer: ${biasInit(4)}}));
m.add(tf.layers.dense({units: 2, kernelInitializer: ${seeded(5)}, biasInitializer: ${biasInit(6)}}));`,
    forward: (x, w) => dense(dense(dense(x, w[0]!, w[1]!, 5, 'tanh'), w[2]!, w[3]!, 3, 'sigmoid'), w[4]!, w[5]!, 2),
  },
  conv: {
    source: `m.add(tf.layers.conv2d({filters: 2, kernelSize: 3, activation: 'tanh', inputShape: [5, 5, 2], kernelInitializer: ${seeded(7)}, biasInitializer: ${biasInit(8)}}));
m.add(tf.layers.flatten());
m.add(tf.layers.dense({units: 2, kernelInitializer: ${seeded(9)}, biasInitializer: ${biasInit(10)}}));`,
    forward: (x, w) => dense(conv2d(x, 5, 5, 2, w[0]!, w[1]!, 3, 2, 'tanh'), w[2]!, w[3]!, 2),
  },
  rnn: {
    source: `m.add(tf.layers.simpleRNN({units: 3, inputShape: [6, 2], kernelInitializer: ${seeded(11)}, recurrentInitializer: ${seeded(12)}, biasInitializer: ${biasInit(13)}}));
m.add(tf.layers.dense({units: 2, kernelInitializer: ${seeded(14)}, biasInitializer: ${biasInit(15)}}));`,
    forward: (x, w) => dense(simpleRnn(x, 6, 2, w[0]!, w[1]!, w[2]!, 3), w[3]!, w[4]!, 2),
  },
};

function graphOf(source: string): ModelGraph {
  const text = `import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\n${source}\nm.compile({optimizer: 'sgd', loss: 'meanSquaredError'});`;
  const [graph] = parseModels(text, 'case.ts').models;
  assert.ok(graph);
  return graph;
}

/** Mean squared error over the batch and outputs, in float64. */
function loss(forward: Forward, xs: Float64Array[], ys: Float64Array[], w: Weights): number {
  let total = 0;
  let count = 0;
  xs.forEach((x, i) => {
    const p = forward(x, w);
    p.forEach((v, j) => {
      total += (v - ys[i]![j]!) ** 2;
      count++;
    });
  });
  return total / count;
}

test('recorded per-layer gradient norms equal finite differences to 1e-3 relative (dense, conv, RNN)', async () => {
  await tf.setBackend('cpu');
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, samples: 8, batchSize: 8, probeBatches: 1, probeOnly: true, seed: 3 };
  for (const [name, c] of Object.entries(CASES)) {
    const graph = graphOf(c.source);
    const summary = await measure(tf, graph, options, {}, { cancelled: () => false });

    // The same weights and the same batch, read back into float64.
    const model = buildModel(tf, graph);
    const weights = model.getWeights().map((t) => Float64Array.from(t.dataSync()));
    const data = syntheticData(tf, model, graph, ['meanSquaredError'], options.samples, options.seed);
    const xs = tf.unstack(data.inputs[0]!).map((t) => Float64Array.from(t.dataSync()));
    const ys = tf.unstack(data.labels[0]!).map((t) => Float64Array.from(t.dataSync()));
    // Weight order per layer: kernel, (recurrent kernel), bias, as tfjs lists them.
    const layerOfWeight = model.weights.map((w) => ({ layer: w.originalName.split('/')[0]!, role: w.originalName.split('/').pop()! }));
    const norms = new Map<string, number>();
    weights.forEach((w, index) => {
      let squared = 0;
      for (let i = 0; i < w.length; i++) {
        const saved = w[i]!;
        const h = 1e-6;
        w[i] = saved + h;
        const up = loss(c.forward, xs, ys, weights);
        w[i] = saved - h;
        const down = loss(c.forward, xs, ys, weights);
        w[i] = saved;
        squared += ((up - down) / (2 * h)) ** 2;
      }
      norms.set(`${layerOfWeight[index]!.layer}/${layerOfWeight[index]!.role}`, Math.sqrt(squared));
    });
    let compared = 0;
    for (const [id, stats] of Object.entries(summary.probe!.layers)) {
      for (const [role, recorded] of [['kernel', stats.kernel], ['bias', stats.bias], ['recurrent_kernel', stats.recurrentKernel]] as const) {
        if (!recorded) continue;
        const expected = norms.get(`${id}/${role}`);
        assert.ok(expected !== undefined, `${name}: no finite difference for ${id}/${role}`);
        const error = Math.abs(recorded.norm - expected) / expected;
        assert.ok(error < 1e-3, `${name} ${id}/${role}: recorded ${recorded.norm}, finite differences ${expected} (relative error ${error.toExponential(2)})`);
        compared++;
      }
    }
    assert.equal(compared, weights.length, `${name}: every weight compared`);
    tf.dispose([...data.inputs, ...data.labels]);
    model.dispose();
  }
});

test('no tensor is leaked: the count after 500 steps equals the count after 1', async () => {
  await tf.setBackend('cpu');
  const graph = graphOf(CASES.dense!.source);
  const counts: number[] = [];
  const before = tf.memory().numTensors;
  const summary = await measure(
    tf,
    graph,
    { ...DEFAULT_RUN_OPTIONS, samples: 64, batchSize: 8, epochs: 63 },
    { steps: () => counts.push(tf.memory().numTensors) },
    { cancelled: () => false, flushIntervalMs: 0, activationEvery: 10 },
  );
  assert.ok(summary.steps >= 500, `${summary.steps} steps`);
  assert.ok(counts.length >= 500);
  assert.equal(counts[499], counts[0], `tensors after step 1: ${counts[0]}, after step 500: ${counts[499]}`);
  assert.equal(counts[counts.length - 1], counts[0]);
  assert.equal(tf.memory().numTensors, before, 'everything the run made is released when it ends');
});

test('gradients are those of the data loss: an L2 term changes nothing in them, and its share is reported', async () => {
  await tf.setBackend('cpu');
  const options: RunOptions = { ...DEFAULT_RUN_OPTIONS, samples: 16, batchSize: 16, probeBatches: 1, probeOnly: true, seeds: 1 };
  const plain = await measure(tf, graphOf(CASES.dense!.source), options, {}, { cancelled: () => false });
  const regularized = graphOf(CASES.dense!.source.replace(/biasInitializer: /g, 'kernelRegularizer: tf.regularizers.l2({l2: 10}), biasInitializer: '));
  assert.ok(regularized.layers.every((l) => l.config.kernelRegularizer), 'the regularizer is in the graph');
  const withL2 = await measure(tf, regularized, options, {}, { cancelled: () => false });
  for (const id of plain.trainableLayers) {
    const a = plain.probe!.layers[id]!.kernel!.norm;
    const b = withL2.probe!.layers[id]!.kernel!.norm;
    assert.ok(Math.abs(a - b) / a < 1e-5, `${id}: ${a} vs ${b}`);
  }
  assert.equal(plain.probe!.regularizationShare, undefined);
  assert.ok(withL2.probe!.regularizationShare! > 0.5, `share ${withL2.probe!.regularizationShare}`);
});

test('the probe is repeated on other initializations (seeds), each with its own gradient norms', async () => {
  await tf.setBackend('cpu');
  const graph = parseModels(`import * as tf from '@tensorflow/tfjs';
const m = tf.sequential({layers: [tf.layers.dense({units: 8, inputShape: [4]}), tf.layers.dense({units: 1})]});`, 's.ts').models[0]!;
  const summary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, probeOnly: true, seeds: 3 }, {}, { cancelled: () => false });
  const seeds = summary.probe!.seeds!;
  assert.equal(seeds.length, 3);
  assert.notEqual(seeds[1]!.kernelNorms.dense_1, seeds[2]!.kernelNorms.dense_1);
  assert.ok(Object.values(seeds[2]!.kernelNorms).every((n) => n > 0));
});
