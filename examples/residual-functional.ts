// A functional model with skip connections: every block adds its input back to its output,
// so the gradient has a short path to the first layers however deep the stack is.
import * as tf from '@tensorflow/tfjs';

const FEATURES = 32;
const WIDTH = 64;
const BLOCKS = 6;

function residualBlock(x: tf.SymbolicTensor, units: number): tf.SymbolicTensor {
  const h = tf.layers.dense({ units, activation: 'relu', kernelInitializer: 'heNormal' }).apply(x) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units, kernelInitializer: 'heNormal' }).apply(h) as tf.SymbolicTensor;
  return tf.layers.add().apply([x, y]) as tf.SymbolicTensor;
}

const input = tf.input({ shape: [FEATURES] });
let x = tf.layers.dense({ units: WIDTH, activation: 'relu', kernelInitializer: 'heNormal' }).apply(input) as tf.SymbolicTensor;
for (let i = 0; i < BLOCKS; i++) {
  x = residualBlock(x, WIDTH);
}
const output = tf.layers.dense({ units: 1 }).apply(x) as tf.SymbolicTensor;

export const resnet = tf.model({ inputs: input, outputs: output });
resnet.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
