// Scale benchmark: a wide, deep MLP (200 dense layers of 512 ReLU units, 52.5 M parameters).
import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [512], kernelInitializer: 'heNormal' }));
for (let i = 0; i < 199; i++) {
  model.add(tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: 'heNormal' }));
}
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
