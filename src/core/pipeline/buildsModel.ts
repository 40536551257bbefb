/**
 * Does a file look like it builds a model? A text check, independent of the parser, so that a
 * file the parser reads no model from is not taken for a file without one (the CLI exits 3 for
 * it, not 0). True when the file imports tfjs (TS/JS) or Keras / TensorFlow (Python) and calls
 * a layer or model constructor, or when it trains a model it loads from a saved file (Keras
 * `load_model(...)` / `model_from_json(...)`, tfjs `tf.loadLayersModel(...)`, then `compile` /
 * `fit` / `train_on_batch` in the same file): its layers are in that file, not in the source.
 * A loaded model that is only used for predictions is not a training program and is not counted.
 */

export interface ModelCall {
  /** 1-based line of the first layer or model constructor call. */
  readonly line: number;
  /** The call as written, e.g. `tf.layers.dense(` or `Dense(`. */
  readonly call: string;
  /** The model is loaded from a saved file (`load_model(`) and trained, not constructed. */
  readonly loaded?: true;
}

const TS_IMPORT = /['"]@tensorflow\/tfjs(?:-node(?:-gpu)?|-layers)?['"]|<script[^>]+tfjs/;
/**
 * A layer constructor or `tf.sequential(`. `tf.model(` alone does not count: it often composes a
 * loaded model's layers (tfjs-examples' visualize-convnet), which no parser can read. A bare
 * `layers.x(` counts only when the file takes `layers` from tfjs, and never for array methods
 * (`manifest.layers.push(`).
 */
const TS_CALL = /\btf\s*\.\s*layers\s*\.\s*[a-zA-Z]\w*\s*\(|\btf\s*\.\s*sequential\s*\(/;
const TS_BARE_LAYERS = /(?<![\w.$])layers\s*\.\s*([a-zA-Z]\w*)\s*\(/g;
const TS_LAYERS_IMPORTED = /\{[^}]*\blayers\b[^}]*\}\s*(?:from\s*['"]@tensorflow\/tfjs|=\s*(?:tf\b|require\s*\(\s*['"]@tensorflow\/tfjs))/;
const ARRAY_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'forEach', 'map', 'filter', 'reduce', 'find', 'findIndex', 'slice', 'splice', 'concat', 'indexOf', 'includes', 'some', 'every', 'join', 'sort', 'reverse', 'flatMap', 'fill', 'at', 'keys', 'values', 'entries']);

const PY_IMPORT = /^\s*(?:from\s+(?:tensorflow|keras|tf_keras)\b|import\s+(?:tensorflow|keras|tf_keras)\b)/m;
/** Constructors reached through a module (`layers.Dense(`, `keras.Sequential(`, `tf.keras.Model(`). */
const PY_QUALIFIED = /\b(?:layers|keras|models)\s*\.\s*(?:[A-Z]\w*)\s*\(/;

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Names a Python file imports from Keras' layers/models modules (`from keras.layers import Dense, LSTM`). */
function kerasImportedNames(text: string): string[] {
  const names: string[] = [];
  // `keras`, `tensorflow.keras`, and their `layers` / `models` modules (not callbacks, datasets...).
  const module = String.raw`(?:tensorflow\.)?(?:python\.)?(?:keras|tf_keras)(?:\.(?:src\.)?(?:layers|models|engine)[\w.]*)?`;
  // One line, or a parenthesized list over several lines; both scan linearly.
  const oneLine = new RegExp(String.raw`^[ \t]*from[ \t]+${module}[ \t]+import[ \t]+([^(\n]+)$`, 'gm');
  const grouped = new RegExp(String.raw`^[ \t]*from[ \t]+${module}[ \t]+import[ \t]*\(([^)]*)\)`, 'gm');
  for (const match of [...text.matchAll(oneLine), ...text.matchAll(grouped)]) {
    for (const part of match[1]!.split(',')) {
      const name = part.trim().split(/\s+as\s+/).pop()?.trim();
      if (name && /^[A-Z]\w*$/.test(name)) names.push(name);
    }
  }
  return names;
}

/**
 * A saved model assigned to a name: Keras' `m = load_model(` / `model_from_json|yaml|config(`,
 * tfjs' `const m = await tf.loadLayersModel(`. Group 1 is the name, group 2 the call.
 */
const PY_LOAD = /(?<![\w.])([A-Za-z_]\w*)\s*=\s*(?:[\w.]+\.)?((?:load_model|model_from_json|model_from_yaml|model_from_config)\s*\()/g;
const TS_LOAD = /(?<![\w.$])([A-Za-z_$][\w$]*)\s*=\s*(?:await\s+)?(?:[\w$.]+\.)?(loadLayersModel\s*\()/g;
/** Training methods: Keras `compile` / `fit` / `fit_generator` / `train_on_batch`, tfjs `compile` / `fit` / `fitDataset` / `trainOnBatch`. */
const PY_TRAIN = 'compile|fit|fit_generator|train_on_batch';
const TS_TRAIN = 'compile|fit|fitDataset|trainOnBatch';

/**
 * The first saved model in `code` (comments and strings blanked) that the file then trains: the
 * name it is assigned to receives a training call (`m.fit(`). A model loaded to compare with one
 * the file built (tfjs-examples' abalone-node: `loadedModel = ...; model.fitDataset(`) is not it.
 */
function loadedAndTrained(text: string, code: string, load: RegExp, train: string): ModelCall | undefined {
  for (const match of code.matchAll(load)) {
    const name = match[1]!.replace(/\$/g, '\\$');
    if (!new RegExp(`(?<![\\w.$])${name}\\s*\\.\\s*(?:${train})\\s*\\(`).test(code)) continue;
    const at = match.index + match[0].length - match[2]!.length;
    return { line: lineOf(text, at), call: match[2]!.replace(/\s+/g, ''), loaded: true };
  }
  return undefined;
}

const PY_NOT_CODE = /("""|''')[\s\S]*?\1|(["'])(?:\\.|(?!\2)[^\\\n])*\2|#[^\n]*/g;
const TS_NOT_CODE = /`(?:\\.|[^\\`])*`|(["'])(?:\\.|(?!\1)[^\\\n])*\1|\/\/[^\n]*|\/\*[\s\S]*?\*\//g;

/**
 * `text` with string literals and comments blanked (same length, newlines kept), so a call
 * written inside a string (`f.write("model = tf.keras.Sequential()")`) is not taken for one.
 */
function codeOnly(text: string, python: boolean): string {
  return text.replace(python ? PY_NOT_CODE : TS_NOT_CODE, (match) => match.replace(/[^\n]/g, ' '));
}

/** The first layer/model constructor call of a file that imports tfjs or Keras; undefined otherwise. */
/** `class TransformerBlock(layers.Layer):` (any spelling of Keras' `Layer` as the base; not `Model`). */
const PY_LAYER_CLASS = /^([ \t]*)class\s+\w+\s*\(([^)]*)\)\s*:/;

/**
 * `code` with the bodies of custom Keras layer classes blanked: the layers a custom layer makes
 * in `__init__` (`MultiHeadAttention(...)`, `Dense(...)`) build no model by themselves, so a file
 * that only defines layers (a library of blocks) is not a file whose model went unread.
 */
function withoutLayerClasses(code: string): string {
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = PY_LAYER_CLASS.exec(lines[i]!);
    if (!head || !/(?:^|[\s.,])Layer\s*(?:,|$)/.test(head[2]!.trim()) || /\bModel\b|Sequential/.test(head[2]!)) continue;
    const indent = head[1]!.length;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim() === '') continue;
      if (line.length - line.trimStart().length <= indent) break;
      lines[j] = line.replace(/[^\s]/g, ' ');
    }
  }
  return lines.join('\n');
}

export function modelCallIn(text: string, python: boolean): ModelCall | undefined {
  if (python) {
    if (!PY_IMPORT.test(text)) return undefined;
    const candidates: RegExpExecArray[] = [];
    const code = withoutLayerClasses(codeOnly(text, true));
    const qualified = PY_QUALIFIED.exec(code);
    if (qualified) candidates.push(qualified);
    for (const name of kerasImportedNames(text)) {
      const call = new RegExp(`(?<![\\w.])${name}\\s*\\(`).exec(code);
      if (call) candidates.push(call);
    }
    const first = candidates.sort((a, b) => a.index - b.index)[0];
    return first ? { line: lineOf(text, first.index), call: first[0].replace(/\s+/g, '') } : loadedAndTrained(text, code, PY_LOAD, PY_TRAIN);
  }
  if (!TS_IMPORT.test(text) && !/\btf\s*\.\s*(?:layers\s*\.|loadLayersModel\b)/.test(text)) return undefined;
  const candidates: RegExpExecArray[] = [];
  const code = codeOnly(text, false);
  const call = TS_CALL.exec(code);
  if (call) candidates.push(call);
  if (TS_LAYERS_IMPORTED.test(text)) {
    for (const bare of code.matchAll(TS_BARE_LAYERS)) {
      if (!ARRAY_METHODS.has(bare[1]!)) {
        candidates.push(bare as RegExpExecArray);
        break;
      }
    }
  }
  const first = candidates.sort((a, b) => a.index - b.index)[0];
  return first ? { line: lineOf(text, first.index), call: first[0].replace(/\s+/g, '') } : loadedAndTrained(text, code, TS_LOAD, TS_TRAIN);
}
