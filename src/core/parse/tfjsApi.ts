/** What the parser knows of the tfjs API surface: module names and factory names. */

/** Packages whose exports include the layers API (`tf.layers`, `tf.sequential`, ...). */
export const TFJS_MODULES: ReadonlySet<string> = new Set([
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-layers',
]);

/** Every layer factory of `tf.layers` in tfjs 4.22 (exports_layers.d.ts), aliases included. */
export const LAYER_FACTORIES: ReadonlySet<string> = new Set([
  'inputLayer', 'elu', 'reLU', 'leakyReLU', 'prelu', 'softmax', 'thresholdedReLU',
  'conv1d', 'conv2d', 'conv2dTranspose', 'conv3d', 'conv3dTranspose', 'separableConv2d',
  'cropping2D', 'upSampling2d', 'depthwiseConv2d', 'activation', 'dense', 'dropout',
  'spatialDropout1d', 'flatten', 'repeatVector', 'reshape', 'permute', 'embedding',
  'add', 'average', 'concatenate', 'maximum', 'minimum', 'multiply', 'dot',
  'batchNormalization', 'layerNormalization', 'zeroPadding2d',
  'averagePooling1d', 'avgPool1d', 'avgPooling1d', 'averagePooling2d', 'avgPool2d',
  'avgPooling2d', 'averagePooling3d', 'avgPool3d', 'avgPooling3d',
  'globalAveragePooling1d', 'globalAveragePooling2d', 'globalMaxPooling1d', 'globalMaxPooling2d',
  'globalMaxPool1d', 'globalMaxPool2d', 'maxPooling1d', 'maxPooling2d', 'maxPooling3d',
  'maxPool1d', 'maxPool2d',
  'gru', 'gruCell', 'lstm', 'lstmCell', 'simpleRNN', 'simpleRNNCell', 'convLstm2d',
  'convLstm2dCell', 'rnn', 'stackedRNNCells', 'bidirectional', 'timeDistributed',
  'gaussianNoise', 'gaussianDropout', 'alphaDropout', 'masking',
  'rescaling', 'centerCrop', 'resizing', 'categoryEncoding', 'randomWidth',
]);

/** Merge layers take a list of tensors in `apply`. */
export const MERGE_LAYERS: ReadonlySet<string> = new Set([
  'add', 'average', 'concatenate', 'maximum', 'minimum', 'multiply', 'dot',
]);

/** Keras-style snake case of a factory name, the stem of a layer's default name. */
export function layerNameStem(type: string): string {
  // Every layer of every model asks (toGraph's ids); a few dozen types: remembered (types the
  // code invents are strings of user code too, so the memory is bounded).
  let stem = stems.get(type);
  if (stem === undefined) {
    if (stems.size >= 512) stems.clear();
    stems.set(type, (stem = snakeStem(type)));
  }
  return stem;
}
const stems = new Map<string, string>();

function snakeStem(type: string): string {
  if (type === 'inputLayer') return 'input';
  if (type === 'simpleRNN') return 'simple_rnn';
  if (type === 'reLU') return 're_lu';
  if (type === 'prelu') return 'p_re_lu';
  if (type === 'leakyReLU') return 'leaky_re_lu';
  if (type === 'thresholdedReLU') return 'thresholded_re_lu';
  return type
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
