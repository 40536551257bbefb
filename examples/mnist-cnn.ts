// A small convolutional classifier for 28x28 grayscale images, with sigmoid activations
// (which make the first convolutions learn slowly).
import * as tf from '@tensorflow/tfjs';

const IMAGE_SIZE = 28;
const NUM_CLASSES = 10;

export const cnn = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1], filters: 8, kernelSize: 3, activation: 'sigmoid' }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'sigmoid' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'sigmoid' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 64, activation: 'sigmoid' }),
    tf.layers.dense({ units: NUM_CLASSES, activation: 'softmax' }),
  ],
});
cnn.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
