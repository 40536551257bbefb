/**
 * The model graph: what the parser reads out of source code, and what every other part
 * (static rules, the training worker, fixes, the CLI, the panel) consumes.
 *
 * Plain data only (no classes, no functions) so a graph can cross a worker boundary with
 * structured clone and be printed as JSON.
 */

/** Half-open range of UTF-16 offsets into the source text: [start, end). */
export interface SourceRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A value read from a layer config, an optimizer argument, a compile option...
 * Constants are plain JSON; two tagged shapes stand for what JSON cannot say.
 */
export type ConfigValue =
  | number
  | string
  | boolean
  | null
  | readonly ConfigValue[]
  | CallValue
  | UnknownValue
  | ConfigObject;

export interface ConfigObject {
  readonly [key: string]: ConfigValue;
}

/**
 * A call of a tfjs factory inside a config, e.g. `tf.initializers.randomNormal({stddev: 1.5})`
 * becomes `{ $call: 'initializers.randomNormal', args: [{ stddev: 1.5 }] }` and
 * `tf.train.adam(0.01)` becomes `{ $call: 'train.adam', args: [0.01] }`.
 * The callee is written relative to the tfjs namespace, whatever alias the file used.
 */
export interface CallValue {
  readonly $call: string;
  readonly args: readonly ConfigValue[];
}

/** A value the evaluator could not know (a data-dependent shape, a parameter...). */
export interface UnknownValue {
  /** Source text of the expression. */
  readonly $unknown: string;
  readonly reason: string;
  /** The name that fills it (a parameter, or an access chain like `xTrain.shape[1]`), when it has one. */
  readonly hole?: string;
}

/**
 * The optimizer of a compile call wrapped by the `clip-gradients` fix's helper:
 * `{ $call: CLIPPED_OPTIMIZER_CALL, args: [optimizer, maxNorm] }`.
 */
/** The helper the `clip-gradients` fix writes into a TS file (`withGradientClipping(optimizer, 1)`); the parser reads a call of it as a clipped optimizer. */
export const CLIP_HELPER_NAME = 'withGradientClipping';

export const CLIPPED_OPTIMIZER_CALL = 'gradientLens.withGradientClipping';

export function isCallValue(value: ConfigValue | undefined): value is CallValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$call' in value;
}

export function isUnknownValue(value: ConfigValue | undefined): value is UnknownValue {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && '$unknown' in value;
}

export function isConfigObject(value: ConfigValue | undefined): value is ConfigObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !('$call' in value) &&
    !('$unknown' in value)
  );
}

/** Where one config property sits in the source, so a fix can edit exactly there. */
export interface PropertyRange {
  /** The whole `key: value` assignment (or shorthand `key`). */
  readonly property: SourceRange;
  /** The value expression alone. */
  readonly value: SourceRange;
}

/** Output shape of a layer: the batch dimension first, `null` where unknown or free. */
export type Shape = readonly (number | null)[];

export interface LayerNode {
  /** Unique in its graph; the name tfjs would give the layer (Keras style: `dense_1`), or config.name. */
  readonly id: string;
  /** The tfjs factory name as called: `dense`, `conv2d`, `simpleRNN`, `add`, or `inputLayer` for `tf.input`. */
  readonly type: string;
  /** False for a factory name the parser does not know; such layers are kept, counted and shown. */
  readonly known: boolean;
  /** The config object as evaluated (first argument of the factory call). */
  readonly config: ConfigObject;
  /** Source range of each config property written in the code, by key. */
  readonly configRanges: Readonly<Record<string, PropertyRange>>;
  /** The object literal that holds the config, when there is one (fixes insert properties there). */
  readonly configRange?: SourceRange;
  /** The expression that created the layer, e.g. `tf.layers.dense({...})`. */
  readonly range: SourceRange;
  /**
   * Loop iteration indices when the layer was created inside loops, outermost first.
   * Layers made by the same call in different iterations share `range`.
   */
  readonly iteration?: readonly number[];
  /** Ids of the layers whose outputs feed this one, in argument order. Empty for inputs. */
  readonly inbound: readonly string[];
  /**
   * Which output of each inbound layer feeds this one, when one is not the first (the states
   * of an RNN with `returnState: true` are outputs 1 and 2). Absent when all are output 0.
   */
  readonly inboundOutputs?: readonly number[];
  /**
   * The model this layer comes from when a whole model is used as a layer (its layers are
   * inlined): the nested model this model contains, named as the model list names it.
   */
  readonly partOf?: string;
  /** When models nest deeper: every model the layer came through, outermost first (`['generator', 'cnn (2)']`). */
  readonly partOfPath?: readonly string[];
  /**
   * A `tf.layers.Layer` subclass written in the user's code: opaque to the parser, trained as a
   * stand-in without weights (`same`: identity) or a fixed linear projection (`last`).
   */
  readonly custom?: { readonly className: string; readonly output: 'same' | 'last' | 'unknown'; readonly lastDim?: number };
  /** The activation string from the config (`'sigmoid'`), absent when none was given. */
  readonly activation?: string;
  /** Inferred output shape, batch first; absent when it could not be inferred. */
  outputShape?: Shape;
  /** Parameter count, equal to what tfjs reports; absent when shapes are unknown. */
  params?: number;
}

export interface CompileInfo {
  readonly optimizer?: ConfigValue;
  readonly loss?: ConfigValue;
  readonly metrics?: ConfigValue;
  /** The `model.compile(...)` call. */
  readonly range: SourceRange;
  readonly configRanges: Readonly<Record<string, PropertyRange>>;
  readonly configRange?: SourceRange;
}

/** What an unknown value stands for, judged from where it is used. */
export type HoleRole =
  | 'input shape' | 'input dim' | 'time steps' | 'units' | 'filters' | 'kernel size' | 'rate'
  | 'activation' | 'initializer' | 'optimizer' | 'loss' | 'value'
  /** An optimizer's learning rate or other hyper-parameter: changes no layer and no shape. */
  | 'learning rate' | 'optimizer parameter'
  /** Unknowns that decide how the model is built: a loop bound, a branch, a list of sizes. */
  | 'repeat count' | 'condition' | 'layer sizes';

/**
 * A value the parser could not know, kept as a named gap rather than a guess: filled by an
 * annotation (`// gradient-lens: name=value`), a remembered value, a prompt, or `--set`.
 */
export interface Hole {
  /** The name that fills it: a parameter (`features`) or an access chain (`xTrain.shape[1]`). */
  readonly name: string;
  readonly role: HoleRole;
  /** Where the value comes from: the parameter's declaration or the expression that reads data. */
  readonly range: SourceRange;
  /** The config values it reaches, as `layerId.key` (`dense_1.inputShape`, `compile.optimizer`). */
  readonly usedBy: readonly string[];
  /** A value to start from, as source text (`[10]`, `32`, `'relu'`): never presented as fact. */
  readonly suggestion: string;
  /** The data the suggestion was read from (`xs`, the array the code fits the model on), when it was. */
  readonly suggestedFrom?: string;
  /**
   * Whose default the suggestion is, for holes that decide no layer and no shape (`Adam's
   * default`): such a hole does not block a measurement, which uses the suggestion and says so.
   */
  readonly defaultOf?: string;
}

/** A value the parser did not know and measured with anyway: which, the value used, and why. */
export interface DefaultUsed {
  readonly name: string;
  /** Source text of the value used. */
  readonly value: string;
  /** `learning rate \`lr\` unknown: used 0.001, Adam's default`. */
  readonly message: string;
  readonly range: SourceRange;
}

/** Where a `gradient-lens:` annotation for a model goes: above the statement at `offset`. */
export interface AnnotationSite {
  /** Start of the line of the statement the annotation sits above. */
  readonly lineStart: number;
  /** The statement's indentation, for the inserted comment line. */
  readonly indent: string;
  /** The annotation comment already there, whose values are merged with new ones. */
  readonly existing?: SourceRange;
}

export interface ModelGraph {
  /** The variable (or exported binding, or function) the model is bound to. */
  readonly name: string;
  readonly kind: 'sequential' | 'functional';
  /** The expression that created the model: `tf.sequential(...)` or `tf.model(...)`. */
  readonly range: SourceRange;
  /** Layers in topological (model) order. A sequential model has an explicit `inputLayer` only if the code wrote one. */
  readonly layers: LayerNode[];
  /** Ids of the model's input layers (functional), or the first layer (sequential). */
  readonly inputs: readonly string[];
  /** Ids of the model's output layers. */
  readonly outputs: readonly string[];
  /** Input shape without the batch dimension, when known. Multiple inputs: see each input layer. */
  readonly inputShape?: Shape;
  readonly compile?: CompileInfo;
  /** Total parameter count, when every layer's count is known. */
  params?: number;
  /** Values the parser could not know, by name; absent or empty when the model is fully resolved. */
  readonly holes?: readonly Hole[];
  /** Unknowns read with a documented value without blocking (a run guard read as true). */
  readonly defaultsUsed?: readonly DefaultUsed[];
  /** Where an annotation that fills this model's holes is written. */
  readonly annotation?: AnnotationSite;
  /**
   * A batch size the model fixes, which the run must use: a stateful RNN's
   * `batch_input_shape` / `batch_size`. Absent when any batch size works.
   */
  readonly batchSize?: number;
  /** The function nobody calls in the file that the parser ran to find this model, if any. */
  readonly builder?: string;
  /** What the code states about the labels the model is fitted on (`to_categorical(y, 10)`...), when it does. */
  readonly labels?: LabelFacts;
  /** The compiled loss takes logits (`from_logits=True`, `tf.losses.softmaxCrossEntropy`), so a linear output is right. */
  readonly lossFromLogits?: boolean;
  /** Where the compiled optimizer is made when the compile call names a variable (`opt = SGD(lr=5)`): its learning rate is written there. */
  readonly optimizerSite?: SourceRange;
}

/**
 * Label facts read from the code that makes the labels a model is fitted on (`model.fit(x, y)`
 * and the assignments of `y`). Never guessed: absent when the code does not say.
 */
export interface LabelFacts {
  /**
   * `one-hot`: rows of k zeros and a one (`to_categorical(y, 10)`, `tf.oneHot(y, 10)`);
   * `class-ids`: integers 0..k-1 (`randint(0, 5, n)`, `make_classification(n_classes=5)`);
   * `binary`: 0/1 values; `regression`: real-valued targets.
   */
  readonly kind: 'one-hot' | 'class-ids' | 'binary' | 'regression';
  /** Number of classes, when stated. */
  readonly classes?: number;
  /** Bounds of regression targets, when the code states them (`np.random.rand`: 0 and 1); absent = unbounded or unknown. */
  readonly min?: number;
  readonly max?: number;
  /** The expression that states it, e.g. `to_categorical(y, 10)`. */
  readonly range: SourceRange;
  readonly text: string;
}

/** Something the parser could not resolve, with where. Never an exception. */
export interface ParseProblem {
  readonly message: string;
  readonly range: SourceRange;
  readonly severity: 'error' | 'warning' | 'info';
  /**
   * The code builds a model (or a layer of one) here that the parser could not read: a model
   * left out, a layer left out of a model, a subclassed `keras.Model`. The models that were
   * read are then not all the file builds, so the CLI exits 3 (README "Command line").
   */
  readonly leftOut?: true;
}

export interface ParseResult {
  readonly models: ModelGraph[];
  readonly problems: ParseProblem[];
}
