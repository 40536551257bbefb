// Exploding gradients: ReLU layers initialized with a large random normal (stddev 1.5).
// Each layer multiplies the signal by about 1.5 * sqrt(64 / 2) = 8.5, so gradients overflow.
import * as tf from '@tensorflow/tfjs';

export function createModel(): tf.Sequential {
  const model = tf.sequential();
  const init = () => tf.initializers.randomNormal({ mean: 0, stddev: 1.5 });
  model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init(), inputShape: [20] }));
  for (let i = 0; i < 10; i++) {
    model.add(tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: init() }));
  }
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  return model;
}
