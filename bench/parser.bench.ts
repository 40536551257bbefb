/**
 * Parser speed: a 1,000-line model file must parse in under 20 ms, and time must grow
 * linearly with file size. Run: npm run bench:parser. Results are recorded in bench/README.md.
 */
import { parseModels } from '../src/core/parse/index';

/** One ~50-line chunk of the ways people write tfjs models; `k` keeps names unique. */
function chunk(k: number): string {
  return `
const UNITS_${k} = 64;
function block${k}(units: number, act = 'relu') {
  return [tf.layers.dense({units, activation: act, kernelInitializer: 'heNormal'}), tf.layers.batchNormalization()];
}
export const mlp${k} = tf.sequential();
mlp${k}.add(tf.layers.dense({units: UNITS_${k}, activation: 'sigmoid', inputShape: [20]}));
for (let i = 0; i < 10; i++) {
  mlp${k}.add(tf.layers.dense({units: UNITS_${k}, activation: 'sigmoid'}));
}
mlp${k}.add(tf.layers.dense({units: 10, activation: 'softmax'}));
mlp${k}.compile({optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy'});

export const stack${k} = tf.sequential({
  layers: [
    tf.layers.flatten({inputShape: [28, 28]}),
    ...[128, 64, 32].map((w) => block${k}(w)).flat(),
    tf.layers.dense({units: 10, activation: 'softmax'}),
  ],
});

const input${k} = tf.input({shape: [32]});
let x${k} = tf.layers.dense({units: 32, activation: 'relu'}).apply(input${k}) as tf.SymbolicTensor;
for (let i = 0; i < 4; i++) {
  const h = tf.layers.dense({units: 32, activation: 'relu'}).apply(x${k}) as tf.SymbolicTensor;
  x${k} = tf.layers.add().apply([x${k}, h]) as tf.SymbolicTensor;
}
export const resnet${k} = tf.model({inputs: input${k}, outputs: tf.layers.dense({units: 1}).apply(x${k}) as tf.SymbolicTensor});

export function createCnn${k}(filters = 8) {
  const cnn = tf.sequential();
  cnn.add(tf.layers.conv2d({inputShape: [28, 28, 1], filters, kernelSize: 3, activation: 'relu'}));
  cnn.add(tf.layers.maxPooling2d({poolSize: 2}));
  cnn.add(tf.layers.conv2d({filters: filters * 2, kernelSize: 3, activation: 'relu'}));
  cnn.add(tf.layers.flatten());
  cnn.add(tf.layers.dense({units: 10, activation: 'softmax'}));
  cnn.compile({optimizer: 'adam', loss: 'categoricalCrossentropy'});
  return cnn;
}

const rnn${k} = tf.sequential();
rnn${k}.add(tf.layers.simpleRNN({units: 32, inputShape: [100, 8]}));
rnn${k}.add(tf.layers.dense({units: 1, activation: 'sigmoid'}));
`;
}

function file(lines: number): string {
  let text = "import * as tf from '@tensorflow/tfjs';\n";
  for (let k = 0; text.split('\n').length < lines; k++) text += chunk(k);
  return text;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(text: string, runs: number): { ms: number; models: number; layers: number } {
  let result = parseModels(text, 'bench.ts');
  for (let i = 0; i < 5; i++) result = parseModels(text, 'bench.ts'); // warm-up (JIT, lazy TypeScript load)
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    parseModels(text, 'bench.ts');
    times.push(performance.now() - started);
  }
  return { ms: median(times), models: result.models.length, layers: result.models.reduce((n, m) => n + m.layers.length, 0) };
}

const rows: string[] = [];
let base: number | undefined;
for (const lines of [1000, 2000, 4000]) {
  const text = file(lines);
  const { ms, models, layers } = measure(text, 30);
  base ??= ms;
  rows.push(`| ${text.split('\n').length} | ${models} | ${layers} | ${ms.toFixed(2)} | ${(ms / base).toFixed(2)}x |`);
}
const loopStarted = performance.now();
parseModels('let c = 0;\nfor (let i = 0; i < 1000000; i++) c++;\n', 'loop.ts');
const loopMs = performance.now() - loopStarted;

console.log(`Parser benchmark, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
console.log('| lines | models | layers | median ms | vs 1,000 lines |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(row);
console.log(`\n1,000,000-iteration constant loop: capped after 10,000 iterations in ${loopMs.toFixed(1)} ms.`);
