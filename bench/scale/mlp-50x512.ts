// Scale benchmark: a wide, deep MLP (50 dense layers of 512 ReLU units, 13.1 M parameters).
import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.dense({ units: 512, activation: 'relu', inputShape: [512], kernelInitializer: 'heNormal' }));
for (let i = 0; i < 49; i++) {
  model.add(tf.layers.dense({ units: 512, activation: 'relu', kernelInitializer: 'heNormal' }));
}
model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
