// The repair of deep-sigmoid-mlp.ts: ReLU activations with He initialization, and batch
// normalization after every hidden layer. Same depth and width, healthy gradients.
import * as tf from '@tensorflow/tfjs';

const INPUTS = 20;
const HIDDEN_LAYERS = 11;
const UNITS = 64;

export const model = tf.sequential();
model.add(tf.layers.dense({ units: UNITS, activation: 'relu', kernelInitializer: 'heNormal', inputShape: [INPUTS] }));
model.add(tf.layers.batchNormalization());
for (let i = 1; i < HIDDEN_LAYERS; i++) {
  model.add(tf.layers.dense({ units: UNITS, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.batchNormalization());
}
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));

model.compile({
  optimizer: tf.train.sgd(0.1),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
});
