// A builder whose input width comes from the data: `xTrain.shape[1]` is known only when the
// program runs. Gradient Lens keeps it as a hole: Analyze asks for the value (remembered for
// this file), and "Save as Annotation" writes it above the function as
// `// gradient-lens: xTrain.shape[1]=13`.
import * as tf from '@tensorflow/tfjs';

export function createRegressor(xTrain: tf.Tensor2D): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: 'heNormal', inputShape: [xTrain.shape[1]] }));
  model.add(tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: 'heNormal' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  return model;
}
