// Scale benchmark: an LSTM of 32 units over 300 time steps of 8 features (5.3 k parameters).
import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.lstm({ units: 32, inputShape: [300, 8] }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
