// Scale benchmark: ResNet-20 for 32x32x3 images (He et al. 2016, CIFAR-10 variant; 0.27 M parameters).
import * as tf from '@tensorflow/tfjs';

function block(x: tf.SymbolicTensor, filters: number, strides: number): tf.SymbolicTensor {
  let y = tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization().apply(y) as tf.SymbolicTensor;
  let shortcut = x;
  if (strides !== 1) {
    shortcut = tf.layers.conv2d({ filters, kernelSize: 1, strides, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(x) as tf.SymbolicTensor;
  }
  const sum = tf.layers.add().apply([shortcut, y]) as tf.SymbolicTensor;
  return tf.layers.activation({ activation: 'relu' }).apply(sum) as tf.SymbolicTensor;
}

const input = tf.input({ shape: [32, 32, 3] });
let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'heNormal' }).apply(input) as tf.SymbolicTensor;
x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
x = tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
for (const [filters, firstStride] of [[16, 1], [32, 2], [64, 2]]) {
  for (let i = 0; i < 3; i++) {
    x = block(x, filters, i === 0 ? firstStride : 1);
  }
}
x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;

export const resnet20 = tf.model({ inputs: input, outputs: output });
resnet20.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
