// Scale benchmark: MobileNet v1 (Howard et al. 2017, width 1.0) at 96x96x3, 10 classes (3.2 M parameters).
import * as tf from '@tensorflow/tfjs';

function separable(x: tf.SymbolicTensor, filters: number, strides: number): tf.SymbolicTensor {
  let y = tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  y = tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters, kernelSize: 1, padding: 'same', useBias: false }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  return tf.layers.reLU({ maxValue: 6 }).apply(y) as tf.SymbolicTensor;
}

const input = tf.input({ shape: [96, 96, 3] });
let x = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', useBias: false }).apply(input) as tf.SymbolicTensor;
x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
x = tf.layers.reLU({ maxValue: 6 }).apply(x) as tf.SymbolicTensor;
for (const [filters, strides] of [[64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1]]) {
  x = separable(x, filters, strides);
}
x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;

export const mobilenet = tf.model({ inputs: input, outputs: output });
mobilenet.compile({ optimizer: 'rmsprop', loss: 'categoricalCrossentropy' });
