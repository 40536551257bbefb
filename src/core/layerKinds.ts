/** What kind of layer or activation a graph node is: shared by the rules and the fixes. */
import type { LayerNode } from './ir';

export const SATURATING_ACTIVATIONS: ReadonlySet<string> = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);
export const RELU_FAMILY: ReadonlySet<string> = new Set(['relu', 'relu6', 'elu', 'selu', 'leakyReLU', 'prelu', 'reLU', 'thresholdedReLU', 'gelu', 'swish', 'mish']);
/** Layer types whose first weight is a kernel that an initializer sets. */
export const KERNEL_LAYERS: ReadonlySet<string> = new Set([
  'dense', 'conv1d', 'conv2d', 'conv3d', 'conv2dTranspose', 'conv3dTranspose', 'separableConv2d', 'depthwiseConv2d',
  'simpleRNN', 'lstm', 'gru',
]);

/** The activation a layer applies: its config's, or its own for ReLU-like layer types. */
export function activationOf(layer: LayerNode): string | undefined {
  if (layer.type === 'reLU' || layer.type === 'leakyReLU' || layer.type === 'prelu' || layer.type === 'elu' || layer.type === 'thresholdedReLU') return layer.type;
  return layer.activation;
}
