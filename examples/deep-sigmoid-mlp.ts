// The textbook vanishing-gradient network: eleven sigmoid layers of 64 units.
// Each sigmoid can shrink the backpropagated gradient by 4x or more, so the first
// layers barely learn. Open it with Gradient Lens and run "Analyze gradients".
import * as tf from '@tensorflow/tfjs';

const INPUTS = 20;
const HIDDEN_LAYERS = 11;
const UNITS = 64;

export const model = tf.sequential();
model.add(tf.layers.dense({ units: UNITS, activation: 'sigmoid', inputShape: [INPUTS] }));
for (let i = 1; i < HIDDEN_LAYERS; i++) {
  model.add(tf.layers.dense({ units: UNITS, activation: 'sigmoid' }));
}
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));

model.compile({
  optimizer: tf.train.sgd(0.1),
  loss: 'categoricalCrossentropy',
  metrics: ['accuracy'],
});
