/**
 * Keras -> tfjs name tables for the Python front end. tfjs-layers is Keras' twin, so most of the
 * mapping is a rename: class `Dense` is factory `dense`, argument `kernel_initializer` is key
 * `kernelInitializer`, string `'he_normal'` is `'heNormal'`.
 */

export interface LayerSpec {
  /** The tfjs factory name (a member of LAYER_FACTORIES). */
  readonly type: string;
  /** Python names of the positional parameters, in Keras' order. */
  readonly positional: readonly string[];
}

const DENSE_TAIL = ['use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'];
const CONV = ['filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'groups', 'activation', ...DENSE_TAIL];
const POOL = ['pool_size', 'strides', 'padding', 'data_format'];
const RNN = ['units', 'activation', 'recurrent_activation', 'use_bias'];

function spec(type: string, ...positional: string[]): LayerSpec {
  return { type, positional };
}

/** Every Keras layer class with a tfjs twin, aliases included (covers LAYER_FACTORIES). */
export const KERAS_LAYERS: Readonly<Record<string, LayerSpec>> = {
  InputLayer: spec('inputLayer', 'input_shape', 'batch_size', 'dtype'),
  ELU: spec('elu', 'alpha'),
  ReLU: spec('reLU', 'max_value', 'negative_slope', 'threshold'),
  LeakyReLU: spec('leakyReLU', 'alpha'),
  PReLU: spec('prelu', 'alpha_initializer', 'alpha_regularizer', 'alpha_constraint', 'shared_axes'),
  Softmax: spec('softmax', 'axis'),
  ThresholdedReLU: spec('thresholdedReLU', 'theta'),
  Conv1D: spec('conv1d', ...CONV),
  Conv2D: spec('conv2d', ...CONV),
  Conv3D: spec('conv3d', ...CONV),
  Convolution1D: spec('conv1d', ...CONV),
  Convolution2D: spec('conv2d', ...CONV),
  Convolution3D: spec('conv3d', ...CONV),
  Conv2DTranspose: spec('conv2dTranspose', 'filters', 'kernel_size', 'strides', 'padding', 'output_padding', 'data_format', 'dilation_rate', 'activation', ...DENSE_TAIL),
  Conv3DTranspose: spec('conv3dTranspose', 'filters', 'kernel_size', 'strides', 'padding', 'output_padding', 'data_format', 'dilation_rate', 'activation', ...DENSE_TAIL),
  SeparableConv2D: spec('separableConv2d', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'depth_multiplier', 'activation', 'use_bias'),
  DepthwiseConv2D: spec('depthwiseConv2d', 'kernel_size', 'strides', 'padding', 'depth_multiplier', 'data_format', 'dilation_rate', 'activation', 'use_bias'),
  Cropping2D: spec('cropping2D', 'cropping', 'data_format'),
  UpSampling2D: spec('upSampling2d', 'size', 'data_format', 'interpolation'),
  Activation: spec('activation', 'activation'),
  Dense: spec('dense', 'units', 'activation', ...DENSE_TAIL),
  Dropout: spec('dropout', 'rate', 'noise_shape', 'seed'),
  SpatialDropout1D: spec('spatialDropout1d', 'rate'),
  Flatten: spec('flatten', 'data_format'),
  RepeatVector: spec('repeatVector', 'n'),
  Reshape: spec('reshape', 'target_shape'),
  Permute: spec('permute', 'dims'),
  Embedding: spec('embedding', 'input_dim', 'output_dim', 'embeddings_initializer', 'embeddings_regularizer', 'activity_regularizer', 'embeddings_constraint', 'mask_zero', 'input_length'),
  Add: spec('add'),
  Average: spec('average'),
  Concatenate: spec('concatenate', 'axis'),
  Maximum: spec('maximum'),
  Minimum: spec('minimum'),
  Multiply: spec('multiply'),
  Dot: spec('dot', 'axes', 'normalize'),
  BatchNormalization: spec('batchNormalization', 'axis', 'momentum', 'epsilon', 'center', 'scale'),
  LayerNormalization: spec('layerNormalization', 'axis', 'epsilon', 'center', 'scale'),
  ZeroPadding2D: spec('zeroPadding2d', 'padding', 'data_format'),
  AveragePooling1D: spec('averagePooling1d', ...POOL),
  AvgPool1D: spec('averagePooling1d', ...POOL),
  AveragePooling2D: spec('averagePooling2d', ...POOL),
  AvgPool2D: spec('averagePooling2d', ...POOL),
  AveragePooling3D: spec('averagePooling3d', ...POOL),
  AvgPool3D: spec('averagePooling3d', ...POOL),
  GlobalAveragePooling1D: spec('globalAveragePooling1d', 'data_format'),
  GlobalAvgPool1D: spec('globalAveragePooling1d', 'data_format'),
  GlobalAveragePooling2D: spec('globalAveragePooling2d', 'data_format'),
  GlobalAvgPool2D: spec('globalAveragePooling2d', 'data_format'),
  GlobalMaxPooling1D: spec('globalMaxPooling1d', 'data_format'),
  GlobalMaxPool1D: spec('globalMaxPooling1d', 'data_format'),
  GlobalMaxPooling2D: spec('globalMaxPooling2d', 'data_format'),
  GlobalMaxPool2D: spec('globalMaxPooling2d', 'data_format'),
  MaxPooling1D: spec('maxPooling1d', ...POOL),
  MaxPool1D: spec('maxPooling1d', ...POOL),
  MaxPooling2D: spec('maxPooling2d', ...POOL),
  MaxPool2D: spec('maxPooling2d', ...POOL),
  MaxPooling3D: spec('maxPooling3d', ...POOL),
  MaxPool3D: spec('maxPooling3d', ...POOL),
  GRU: spec('gru', ...RNN),
  GRUCell: spec('gruCell', ...RNN),
  LSTM: spec('lstm', ...RNN),
  LSTMCell: spec('lstmCell', ...RNN),
  SimpleRNN: spec('simpleRNN', 'units', 'activation', 'use_bias'),
  SimpleRNNCell: spec('simpleRNNCell', 'units', 'activation', 'use_bias'),
  ConvLSTM2D: spec('convLstm2d', 'filters', 'kernel_size', 'strides', 'padding', 'data_format', 'dilation_rate', 'activation', 'recurrent_activation'),
  ConvLSTM2DCell: spec('convLstm2dCell', 'filters', 'kernel_size'),
  RNN: spec('rnn', 'cell', 'return_sequences', 'return_state', 'go_backwards', 'stateful', 'unroll'),
  StackedRNNCells: spec('stackedRNNCells', 'cells'),
  Bidirectional: spec('bidirectional', 'layer', 'merge_mode'),
  TimeDistributed: spec('timeDistributed', 'layer'),
  GaussianNoise: spec('gaussianNoise', 'stddev'),
  GaussianDropout: spec('gaussianDropout', 'rate'),
  AlphaDropout: spec('alphaDropout', 'rate', 'noise_shape'),
  Masking: spec('masking', 'mask_value'),
  Rescaling: spec('rescaling', 'scale', 'offset'),
  CenterCrop: spec('centerCrop', 'height', 'width'),
  Resizing: spec('resizing', 'height', 'width', 'interpolation'),
  CategoryEncoding: spec('categoryEncoding', 'num_tokens', 'output_mode'),
  RandomWidth: spec('randomWidth', 'factor', 'interpolation', 'seed'),
  // tfjs has none: the worker builds Keras' (training/multiHeadAttention.ts).
  MultiHeadAttention: spec('multiHeadAttention', 'num_heads', 'key_dim', 'value_dim', 'dropout', 'use_bias', 'output_shape'),
  // Keras' RandomCrop outputs (height, width) at inference too (a center crop): tfjs' centerCrop.
  RandomCrop: spec('centerCrop', 'height', 'width'),
};

/**
 * Keras preprocessing layers with no weights that keep their input's shape and tfjs lacks: image
 * augmentation (inactive at inference; at training it changes the data, not the gradient path)
 * and `Normalization` (a fixed standardization; the synthetic data is already standardized). The
 * run measures the model with an identity in their place, said on the layer. Source: Keras
 * preprocessing layers guide (keras.io/guides/preprocessing_layers).
 */
export const IDENTITY_STAND_INS: ReadonlyMap<string, string> = new Map([
  ...['RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomContrast', 'RandomTranslation', 'RandomBrightness',
    'RandomSaturation', 'RandomHue', 'RandomGrayscale', 'RandomColorJitter', 'RandomColorDegeneration',
    'RandomSharpness', 'RandomShear', 'RandomPerspective', 'RandomInvert', 'RandomPosterization',
    'RandomErasing', 'RandomGaussianBlur', 'AutoContrast', 'Solarization', 'Equalization'].map(
    (name) => [name, `\`${name}\` is data augmentation without weights (inactive at inference); training measures the model with an identity in its place.`] as const,
  ),
  ['Normalization', '`Normalization` has no weights to train (a fixed standardization by its mean and variance); training measures the model with an identity in its place, on synthetic data that is already standardized.'],
]);

/** camelCase layer types of IDENTITY_STAND_INS, as the IR spells them. */
export const IDENTITY_STAND_IN_TYPES: ReadonlySet<string> = new Set([...IDENTITY_STAND_INS.keys()].map((name) => name.charAt(0).toLowerCase() + name.slice(1)));

/**
 * Keras preprocessing layers (none has trainable weights): a model made of them only (and its
 * inputs) is a data pipeline such as `data_augmentation = keras.Sequential([RandomFlip(), ...])`,
 * with no gradient to measure, so it is not analysed as a model.
 */
export const PREPROCESSING_TYPES: ReadonlySet<string> = new Set([
  ...IDENTITY_STAND_IN_TYPES, 'rescaling', 'centerCrop', 'resizing', 'randomWidth', 'randomHeight', 'categoryEncoding',
  'textVectorization', 'stringLookup', 'integerLookup', 'hashing', 'hashedCrossing', 'discretization',
]);

/** The functional shortcuts of `keras.layers` (`add([a, b])`): merge layer type by function name. */
export const MERGE_FUNCTIONS: Readonly<Record<string, string>> = {
  add: 'add', average: 'average', concatenate: 'concatenate', maximum: 'maximum',
  minimum: 'minimum', multiply: 'multiply', dot: 'dot',
};

/** Keras argument names whose tfjs key is not the plain camelCase (per layer type, or for all). */
const KEY_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '*': { dims: 'dims' },
  // Keras 3 spells the input layer's shape `shape`; tfjs' inputLayer reads `inputShape`.
  inputLayer: { shape: 'inputShape' },
  // Keras 3 renamed `alpha` to `negative_slope`; tfjs kept `alpha`.
  leakyReLU: { negative_slope: 'alpha' },
  // Not the IR's `outputShape` (every layer's inferred shape).
  multiHeadAttention: { output_shape: 'attentionOutputShape' },
};

/**
 * Keras 1 argument names -> Keras 2 ones (Keras 2 still accepted them through its legacy
 * interfaces). `output_dim` is Keras 2's own name on Embedding, so it is renamed elsewhere only.
 */
export const KERAS1_KEYWORDS: Readonly<Record<string, string>> = {
  init: 'kernel_initializer', inner_init: 'recurrent_initializer', nb_filter: 'filters',
  filter_length: 'kernel_size', border_mode: 'padding', subsample: 'strides', subsample_length: 'strides',
  W_regularizer: 'kernel_regularizer', b_regularizer: 'bias_regularizer', U_regularizer: 'recurrent_regularizer',
  W_constraint: 'kernel_constraint', b_constraint: 'bias_constraint', U_constraint: 'recurrent_constraint',
  bias: 'use_bias', dropout_W: 'dropout', dropout_U: 'recurrent_dropout', pool_length: 'pool_size',
  stride: 'strides', atrous_rate: 'dilation_rate', dim_ordering: 'data_format',
  beta_init: 'beta_initializer', gamma_init: 'gamma_initializer', output_dim: 'units',
};

/** Keras 1 merge modes (`merge([a, b], mode='concat')`) -> tfjs merge layers. */
export const KERAS1_MERGE_MODES: Readonly<Record<string, string>> = {
  sum: 'add', mul: 'multiply', concat: 'concatenate', ave: 'average', max: 'maximum', dot: 'dot',
};

/** `kernel_initializer` -> `kernelInitializer`. */
export function camelCase(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The tfjs config key of a Keras argument of a layer of tfjs type `type`. */
export function tfjsKey(type: string, pythonName: string): string {
  return KEY_RENAMES[type]?.[pythonName] ?? KEY_RENAMES['*']?.[pythonName] ?? camelCase(pythonName);
}

/** Keras activation names -> tfjs ones. A Keras name missing here is one tfjs lacks. */
export const ACTIVATIONS: Readonly<Record<string, string>> = {
  relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax', elu: 'elu', selu: 'selu',
  linear: 'linear', softplus: 'softplus', softsign: 'softsign', hard_sigmoid: 'hardSigmoid',
  swish: 'swish', silu: 'swish', gelu: 'gelu', relu6: 'relu6', mish: 'mish', log_softmax: 'logSoftmax',
};

/** Keras initializer names (snake strings, class names, function aliases), normalized -> tfjs. */
const INITIALIZERS: Readonly<Record<string, string>> = {
  zeros: 'zeros', zero: 'zeros', ones: 'ones', one: 'ones', constant: 'constant',
  randomnormal: 'randomNormal', normal: 'randomNormal', randomuniform: 'randomUniform', uniform: 'randomUniform',
  truncatednormal: 'truncatedNormal', variancescaling: 'varianceScaling', orthogonal: 'orthogonal',
  identity: 'identity', glorotnormal: 'glorotNormal', glorotuniform: 'glorotUniform',
  henormal: 'heNormal', heuniform: 'heUniform', lecunnormal: 'leCunNormal', lecununiform: 'leCunUniform',
  xaviernormal: 'glorotNormal', xavieruniform: 'glorotUniform',
};

const squash = (name: string): string => name.replace(/_/g, '').toLowerCase();

/** tfjs initializer name for a Keras spelling (`'he_normal'`, `HeNormal`, `he_normal`), if any. */
export function tfjsInitializer(name: string): string | undefined {
  return INITIALIZERS[squash(name)];
}

/** tfjs regularizer factory for a Keras spelling (`l2`, `L2`, `l1_l2`, `L1L2`). */
export function tfjsRegularizer(name: string): string | undefined {
  return ({ l1: 'l1', l2: 'l2', l1l2: 'l1l2' } as Record<string, string>)[squash(name)];
}

/** tfjs constraint factory for a Keras spelling (`max_norm`, `MaxNorm`, ...). */
export function tfjsConstraint(name: string): string | undefined {
  return ({ maxnorm: 'maxNorm', nonneg: 'nonNeg', unitnorm: 'unitNorm', minmaxnorm: 'minMaxNorm' } as Record<string, string>)[squash(name)];
}

/** Values of enum-like keys whose spelling differs (`'channels_last'` -> `'channelsLast'`). */
export function tfjsEnumValue(key: string, value: string): string {
  if (key === 'dataFormat' || key === 'mode') return camelCase(value);
  // tfjs' 'normal' already draws a truncated normal; its 'truncatedNormal' falls into the uniform branch.
  if (key === 'distribution') return value === 'uniform' ? 'uniform' : 'normal';
  return value;
}

export interface OptimizerSpec {
  /** tfjs `tf.train` factory. */
  readonly factory: string;
  /** Keras parameter name and default, in the order tfjs' factory takes them. */
  readonly params: readonly (readonly [string, number | boolean])[];
}

/** Keras optimizer classes -> tfjs factories. Keras' defaults are filled in (tfjs needs a rate). */
export const OPTIMIZERS: Readonly<Record<string, OptimizerSpec>> = {
  sgd: { factory: 'sgd', params: [['learning_rate', 0.01]] },
  adam: { factory: 'adam', params: [['learning_rate', 0.001], ['beta_1', 0.9], ['beta_2', 0.999], ['epsilon', 1e-7]] },
  rmsprop: { factory: 'rmsprop', params: [['learning_rate', 0.001], ['rho', 0.9], ['momentum', 0], ['epsilon', 1e-7], ['centered', false]] },
  adagrad: { factory: 'adagrad', params: [['learning_rate', 0.001], ['initial_accumulator_value', 0.1]] },
  adadelta: { factory: 'adadelta', params: [['learning_rate', 0.001], ['rho', 0.95], ['epsilon', 1e-7]] },
  adamax: { factory: 'adamax', params: [['learning_rate', 0.001], ['beta_1', 0.9], ['beta_2', 0.999], ['epsilon', 1e-7]] },
};

// The nearest-optimizer table is shared with the TS/JS front end.
export { NEAREST_OPTIMIZER, OPTIMIZER_TITLES, TFJS_OPTIMIZER_NAMES as OPTIMIZER_NAMES } from '../optimizers';

/** TF1 `tf.train.*Optimizer` parameter names -> Keras ones (`beta1` -> `beta_1`). */
export const TF1_PARAM_NAMES: Readonly<Record<string, string>> = {
  beta1: 'beta_1', beta2: 'beta_2', use_nesterov: 'nesterov', initial_accumulator_value: 'initial_accumulator_value',
};

/** Keras loss names (strings, functions and classes, normalized) -> tfjs loss names. */
const LOSSES: Readonly<Record<string, string>> = {
  categoricalcrossentropy: 'categoricalCrossentropy', binarycrossentropy: 'binaryCrossentropy',
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
  mse: 'meanSquaredError', meansquarederror: 'meanSquaredError',
  mae: 'meanAbsoluteError', meanabsoluteerror: 'meanAbsoluteError',
  mape: 'meanAbsolutePercentageError', meanabsolutepercentageerror: 'meanAbsolutePercentageError',
  msle: 'meanSquaredLogarithmicError', meansquaredlogarithmicerror: 'meanSquaredLogarithmicError',
  hinge: 'hinge', squaredhinge: 'squaredHinge', categoricalhinge: 'categoricalHinge',
  logcosh: 'logcosh', poisson: 'poisson', kld: 'kullbackLeiblerDivergence',
  kldivergence: 'kullbackLeiblerDivergence', kullbackleiblerdivergence: 'kullbackLeiblerDivergence',
  cosinesimilarity: 'cosineProximity', cosineproximity: 'cosineProximity',
  // Keras' Huber loss (delta 1.0 by default); tfjs has `tf.losses.huberLoss` but no compile string.
  huber: 'huber', huberloss: 'huber',
};

export function tfjsLoss(name: string): string | undefined {
  return LOSSES[squash(name)];
}

/** Metric strings: Keras' `'acc'` is tfjs' `'accuracy'`; losses used as metrics are renamed too. */
export function tfjsMetric(name: string): string {
  if (['acc', 'accuracy'].includes(name.toLowerCase())) return 'accuracy';
  return tfjsLoss(name) ?? name;
}

/** The path of a Keras API member relative to the `keras` package, or undefined if not Keras. */
export function kerasPath(path: readonly string[]): readonly string[] | undefined {
  let p = path;
  if (p[0] === 'tensorflow') {
    if (p[1] === 'keras') p = p.slice(2);
    // TF 1.x and compat spellings: tf.contrib.keras, tf.python.keras, tf.compat.v1.keras.
    else if ((p[1] === 'python' || p[1] === 'contrib') && p[2] === 'keras') p = p.slice(3);
    else if (p[1] === 'compat' && /^v[12]$/.test(p[2] ?? '') && p[3] === 'keras') p = p.slice(4);
    else return undefined;
  } else if (p[0] === 'keras' || p[0] === 'tf_keras') p = p.slice(1);
  else return undefined;
  if (p[0] === 'src' || p[0] === 'api') p = p.slice(1);
  if (p[0] === '_impl' && p[1] === 'keras') p = p.slice(2);
  // Version modules are spellings of the same package: keras.initializers.initializers_v1.X.
  return p.filter((part, i) => i === p.length - 1 || !/^(initializers|optimizers)_v[12]$|^legacy$/.test(part));
}

/**
 * The Keras optimizer a TF1 optimizer class stands for (`tf.compat.v1.train.AdamOptimizer`,
 * `tensorflow.python.training.gradient_descent.GradientDescentOptimizer`), lower case.
 */
export function tf1Optimizer(path: readonly string[]): string | undefined {
  const last = path[path.length - 1] ?? '';
  if (path[0] !== 'tensorflow' || !/Optimizer$/.test(last) || !path.some((p) => p === 'train' || p === 'training')) return undefined;
  const base = last.slice(0, -'Optimizer'.length).toLowerCase();
  return ({ gradientdescent: 'sgd', momentum: 'sgd_momentum', adam: 'adam', adagrad: 'adagrad', adadelta: 'adadelta', rmsprop: 'rmsprop', ftrl: 'ftrl', proximalgradientdescent: 'sgd', proximaladagrad: 'adagrad', adagradda: 'adagrad' } as Record<string, string>)[base] ?? base;
}

/** The activation a function reference names: `keras.activations.relu`, `tf.nn.relu`, `tf.tanh`. */
export function activationOfPath(path: readonly string[]): string | undefined {
  const k = kerasPath(path);
  if (k && k[0] === 'activations' && k.length === 2) return k[1];
  if (path[0] === 'tensorflow' && (path[1] === 'nn' || path[1] === 'math' || path.length === 2)) return path[path.length - 1];
  return undefined;
}

export const KERAS_BASES = new Set(['Model', 'Layer', 'Sequential']);

/** Layers over sequences: Keras turns their `input_dim` / `input_length` into an input shape. */
export const SEQUENCE_LAYERS = new Set(['lstm', 'gru', 'simpleRNN', 'conv1d', 'maxPooling1d', 'averagePooling1d']);

/** Names a star import of a Keras package can bring in, besides layer classes. */
export const KERAS_MEMBERS = new Set([
  'Input', 'Sequential', 'Model', 'layers', 'models', 'optimizers', 'initializers', 'regularizers',
  'constraints', 'losses', 'metrics', 'activations',
]);

/** Feature channels (include_top=False) and default input size of keras.applications backbones. */
export const BACKBONES: Readonly<Record<string, { readonly channels: number; readonly size: number }>> = {
  MobileNet: { channels: 1024, size: 224 }, MobileNetV2: { channels: 1280, size: 224 },
  MobileNetV3Small: { channels: 576, size: 224 }, MobileNetV3Large: { channels: 960, size: 224 },
  ResNet50: { channels: 2048, size: 224 }, ResNet101: { channels: 2048, size: 224 }, ResNet152: { channels: 2048, size: 224 },
  ResNet50V2: { channels: 2048, size: 224 }, ResNet101V2: { channels: 2048, size: 224 }, ResNet152V2: { channels: 2048, size: 224 },
  VGG16: { channels: 512, size: 224 }, VGG19: { channels: 512, size: 224 },
  InceptionV3: { channels: 2048, size: 299 }, InceptionResNetV2: { channels: 1536, size: 299 }, Xception: { channels: 2048, size: 299 },
  DenseNet121: { channels: 1024, size: 224 }, DenseNet169: { channels: 1664, size: 224 }, DenseNet201: { channels: 1920, size: 224 },
  NASNetMobile: { channels: 1056, size: 224 }, NASNetLarge: { channels: 4032, size: 331 },
  EfficientNetB0: { channels: 1280, size: 224 }, EfficientNetB1: { channels: 1280, size: 240 }, EfficientNetB2: { channels: 1408, size: 260 },
  EfficientNetB3: { channels: 1536, size: 300 }, EfficientNetB4: { channels: 1792, size: 380 }, EfficientNetB5: { channels: 2048, size: 456 },
  EfficientNetB6: { channels: 2304, size: 528 }, EfficientNetB7: { channels: 2560, size: 600 },
  ConvNeXtTiny: { channels: 768, size: 224 }, ConvNeXtSmall: { channels: 768, size: 224 }, ConvNeXtBase: { channels: 1024, size: 224 },
};
