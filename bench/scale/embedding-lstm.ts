// Scale benchmark: Embedding(10000, 64) + LSTM(64) over 100 tokens, a text classifier (0.67 M parameters).
import * as tf from '@tensorflow/tfjs';

export const model = tf.sequential();
model.add(tf.layers.embedding({ inputDim: 10000, outputDim: 64, inputLength: 100 }));
model.add(tf.layers.lstm({ units: 64 }));
model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
