/**
 * Kinds of faults found on keras-team/keras-io examples (bench/README "keras-io examples"), each
 * with a small input of our own: models the parser leaves out must make the CLI exit 3 (never 0),
 * and Keras preprocessing layers must not cut a model's shapes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePythonModels } from '../../src/core/python/index';
import { parseModels } from '../../src/core/parse/index';
import { readSource } from '../../src/core/pipeline/analysis';
import { sourceReport } from '../../src/core/pipeline/outcome';
import { exitStatus, EXIT_UNMEASURED, EXIT_OK } from '../../src/cli/status';
import { trainingBlocker } from '../../src/core/graph';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';

/** The CLI's static exit status for one file (what `analyze FILE --static` returns). */
function staticExit(text: string, file: string): number {
  const source = readSource(text, file);
  return exitStatus({ files: [sourceReport(file, source, () => ({}))] }, false);
}

const SUBCLASSED_AND_FUNCTIONAL = `import keras
from keras import layers

class Scale(layers.Layer):
    def call(self, x):
        return x * 2.0

inputs = keras.Input(shape=(8,))
x = layers.Dense(16, activation="relu")(inputs)
encoder = keras.Model(inputs, layers.Dense(4)(x), name="encoder")

h = layers.Dense(16)(inputs)
scaled = Scale()(h)
scorer = keras.Model(inputs, scaled, name="scorer")
`;

test('a functional model whose outputs go through an unread custom layer is left out: exit 3, on its line', () => {
  const parsed = parsePythonModels(SUBCLASSED_AND_FUNCTIONAL, 'm.py');
  assert.deepEqual(parsed.models.map((m) => m.name), ['encoder']);
  const leftOut = parsed.problems.filter((p) => p.leftOut);
  assert.equal(leftOut.length, 1);
  assert.match(leftOut[0]!.message, /outputs of this model are not layers the parser could follow \(the `call` of the custom layer `Scale` could not be followed: `\*` of these values is not evaluated\); the model is left out/);
  assert.equal(SUBCLASSED_AND_FUNCTIONAL.slice(leftOut[0]!.range.start, leftOut[0]!.range.end), 'scaled');
  assert.equal(staticExit(SUBCLASSED_AND_FUNCTIONAL, 'm.py'), EXIT_UNMEASURED);
  // The subclassed layer itself is no model of the file: only its use leaves one out.
  const layerOnly = SUBCLASSED_AND_FUNCTIONAL.split('\nh = ')[0]!;
  assert.equal(staticExit(layerOnly, 'm.py'), EXIT_OK);
});

test('a subclassed keras.Model (directly or through a class of the file) is a model not measured: exit 3', () => {
  const text = `import keras
from keras import layers

def make():
    return keras.Sequential([keras.Input((4,)), layers.Dense(3)])

head = make()

class Base(keras.Model):
    pass

class GAN(Base):
    def train_step(self, data):
        return {}
`;
  const parsed = parsePythonModels(text, 'gan.py');
  assert.deepEqual(parsed.models.map((m) => m.name), ['head']);
  const leftOut = parsed.problems.filter((p) => p.leftOut).map((p) => text.slice(p.range.start, p.range.end).split('\n')[0]);
  assert.deepEqual(leftOut, ['class Base(keras.Model)', 'class GAN(Base)']);
  assert.equal(staticExit(text, 'gan.py'), EXIT_UNMEASURED);
  assert.equal(staticExit(text.split('\nclass Base')[0]!, 'gan.py'), EXIT_OK);
});

test('a Sequential element that is not a layer leaves the model short: exit 3', () => {
  const text = `import keras
from keras import layers
backbone = load_backbone()
model = keras.Sequential([keras.Input((8,)), backbone, layers.Dense(2)])
`;
  const parsed = parsePythonModels(text, 's.py');
  assert.equal(parsed.models.length, 1);
  assert.ok(parsed.problems.some((p) => p.leftOut && /is not a layer the parser could read/.test(p.message)));
  assert.equal(staticExit(text, 's.py'), EXIT_UNMEASURED);
});

test('TS: tf.sequential with a layer the parser cannot resolve exits 3 too', () => {
  const text = `import * as tf from '@tensorflow/tfjs';
const model = tf.sequential();
model.add(tf.layers.dense({ units: 4, inputShape: [3] }));
model.add(makeLayer());
`;
  const parsed = parseModels(text, 'm.ts');
  assert.ok(parsed.problems.some((p) => p.leftOut));
  assert.equal(staticExit(text, 'm.ts'), EXIT_UNMEASURED);
});

test('variable-length token ids (`Input(shape=(None,))` into an Embedding) train with 20 steps, said on the input', () => {
  const functional = `import keras
from keras import layers
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(1000, 8)(inputs)
x = layers.LSTM(4)(x)
model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
`;
  const sequential = `import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(None,), dtype="int64"), layers.Embedding(1000, 8), layers.GlobalAveragePooling1D(), layers.Dense(1)])
`;
  for (const text of [functional, sequential]) {
    const parsed = parsePythonModels(text, 'ids.py');
    const input = parsed.models[0]!.layers[0]!;
    assert.equal(input.type, 'inputLayer');
    assert.deepEqual(parsed.models[0]!.layers.map((l) => l.outputShape?.[1]), [20, 20, ...parsed.models[0]!.layers.slice(2).map((l) => l.outputShape?.[1])]);
    assert.ok(parsed.problems.some((p) => p.severity === 'info' && /time axis is free .*20 steps/.test(p.message)), parsed.problems.map((p) => p.message).join('\n'));
  }
  // Features, not token ids: a free last axis stays free (it sizes the weights).
  const dense = parsePythonModels(`import keras
from keras import layers
inputs = keras.Input(shape=(None,))
model = keras.Model(inputs, layers.Dense(2)(inputs))
`, 'd.py');
  assert.deepEqual(dense.models[0]?.layers[0]?.outputShape ?? null, [null, null]);
});

test('Keras dtypes become the tfjs dtype that holds them, without a warning', () => {
  const text = `import tensorflow as tf
from tensorflow import keras
a = keras.Input(shape=(4,), dtype=tf.int64)
b = keras.Input(shape=(4,), dtype="float64")
c = keras.Input(shape=(4,), dtype="int32")
model = keras.Model([a, b, c], keras.layers.Dense(1)(keras.layers.concatenate([a, b, c])))
`;
  const parsed = parsePythonModels(text, 'dt.py');
  assert.deepEqual(parsed.models[0]!.layers.filter((l) => l.type === 'inputLayer').map((l) => l.config.dtype), ['int32', 'float32', 'int32']);
  assert.deepEqual(parsed.problems.filter((p) => /dtype/.test(p.message)), []);
});

test('token-id inputs train: an Input before a Sequential Embedding gets ids in range, an int64 input is fed int32', () => {
  const result = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli.js'), 'analyze', 'test/fixtures/kerasio/token_ids.py', '--json', '--seeds', '1', '--time-budget', '20'], { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 240_000 });
  const report = JSON.parse(result.stdout) as { files: { models: { name: string; measurement: { status: string; message?: string } }[] }[] };
  const statuses = report.files[0]!.models.map((m) => [m.name, m.measurement.status, m.measurement.status === 'measured' ? '' : m.measurement.message]);
  assert.deepEqual(statuses, [['seq', 'measured', ''], ['ids', 'measured', '']]);
});

test('preprocessing layers: augmentation and Normalization stand in as identities, RandomCrop as a center crop, a pipeline alone is no model', () => {
  const text = readFileSync(join(__dirname, '..', 'test', 'fixtures', 'kerasio', 'augmented_cnn.py'), 'utf8');
  const parsed = parsePythonModels(text, 'augmented_cnn.py');
  assert.deepEqual(parsed.models.map((m) => m.name), ['model']);
  const layers = parsed.models[0]!.layers;
  assert.deepEqual(layers.map((l) => [l.type, l.outputShape?.slice(1).join('x'), l.custom?.output ?? '']), [
    ['inputLayer', '32x32x3', ''],
    ['normalization', '32x32x3', 'same'],
    ['centerCrop', '24x24x3', ''],
    ['randomFlip', '24x24x3', 'same'],
    ['randomRotation', '24x24x3', 'same'],
    ['randomZoom', '24x24x3', 'same'],
    ['conv2d', '22x22x8', ''],
    ['globalAveragePooling2d', '8', ''],
    ['dense', '10', ''],
  ]);
  const messages = parsed.problems.map((p) => `${p.severity}: ${p.message}`);
  assert.ok(messages.some((m) => /^info: `data_augmentation` is a preprocessing pipeline \(centerCrop, randomFlip, randomRotation, randomZoom\): it has no weights/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /^info: `RandomFlip` is data augmentation without weights/.test(m)));
  assert.deepEqual(messages.filter((m) => m.startsWith('warning')), []);
  const result = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli.js'), 'analyze', 'test/fixtures/kerasio/augmented_cnn.py', '--json', '--seeds', '1', '--time-budget', '20'], { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 240_000 });
  const report = JSON.parse(result.stdout) as { files: { models: { name: string; measurement: { status: string; message?: string } }[] }[] };
  assert.deepEqual(report.files[0]!.models.map((m) => [m.name, m.measurement.status]), [['model', 'measured']], result.stdout.slice(0, 2000));
});

test('a backbone after an Input and preprocessing in a Sequential: the head is read on its output, nothing left out', () => {
  const text = `import tensorflow as tf
from tensorflow.keras import layers
base = tf.keras.applications.ResNet50V2(weights=None, include_top=False, input_shape=(96, 96, 3))
model = tf.keras.Sequential([
    layers.Input((96, 96, 3)),
    layers.Rescaling(scale=1.0 / 127.5, offset=-1),
    base,
    layers.GlobalAveragePooling2D(),
    layers.Dense(10),
])
`;
  const parsed = parsePythonModels(text, 'b.py');
  assert.deepEqual(parsed.models.map((m) => m.layers.map((l) => `${l.type}:${l.outputShape?.slice(1).join('x')}`)), [['inputLayer:3x3x2048', 'globalAveragePooling2d:2048', 'dense:10']]);
  assert.deepEqual(parsed.problems.filter((p) => p.leftOut), []);
  assert.ok(parsed.problems.some((p) => /preprocessing before the backbone `ResNet50V2` \(rescaling\) has no weights/.test(p.message)));
});

const CUSTOM_BLOCK = `import keras
from keras import layers

class Block(layers.Layer):
    def __init__(self, units, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.ffn = keras.Sequential([layers.Dense(units * 2, activation="relu"), layers.Dense(units)])
        self.norm = layers.LayerNormalization(epsilon=1e-6)
        self.drop = layers.Dropout(rate)

    def call(self, inputs, training=False):
        x = self.drop(self.ffn(inputs), training=training)
        return self.norm(inputs + x)

class Settings:
    def __init__(self):
        self.units = 16

class Scale(layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],))

    def call(self, x):
        return x * self.w

settings = Settings()
inputs = keras.Input(shape=(10, settings.units))
x = Block(settings.units)(inputs)
x = Block(settings.units, name="second")(x)
x = layers.GlobalAveragePooling1D()(x)
model = keras.Model(inputs, layers.Dense(1)(x))
scaled = keras.Model(inputs, Scale()(inputs))
`;

test('a custom layer (subclassed keras.layers.Layer) is read through its __init__ and call; a plain class through __init__', () => {
  const parsed = parsePythonModels(CUSTOM_BLOCK, 'block.py');
  assert.deepEqual(parsed.models.map((m) => m.name), ['model']);
  const layers = parsed.models[0]!.layers;
  // Each application of Block holds its own layers; `inputs + x` is Keras' Add.
  assert.deepEqual(layers.map((l) => l.type), [
    'inputLayer', 'dense', 'dense', 'dropout', 'add', 'layerNormalization',
    'dense', 'dense', 'dropout', 'add', 'layerNormalization', 'globalAveragePooling1d', 'dense',
  ]);
  assert.deepEqual(layers.map((l) => l.outputShape?.slice(1).join('x')), ['10x16', '10x32', '10x16', '10x16', '10x16', '10x16', '10x32', '10x16', '10x16', '10x16', '10x16', '16', '1']);
  const add = layers.find((l) => l.type === 'add')!;
  assert.deepEqual(add.inbound, ['input_1', 'dropout_1']);
  const messages = parsed.problems.map((p) => `${p.severity}: ${p.message}`);
  // The FFN Sequential made in __init__ is part of the layer, not a model with an input-shape hole.
  assert.ok(messages.some((m) => /^info: This Sequential is part of the custom layer `Block`/.test(m)) || messages.some((m) => /^info: `(model|ffn)` declares no input shape and is called on a tensor/.test(m)), messages.join('\n'));
  assert.ok(!messages.some((m) => /Subclassed Keras class `Block`/.test(m)));
  // A layer whose call uses weights made in `build` is not followed: said where the model is left out.
  const left = parsed.problems.filter((p) => p.leftOut).map((p) => p.message);
  assert.equal(left.length, 1);
  assert.match(left[0]!, /the `call` of the custom layer `Scale` could not be followed: `w` of `Scale` is not set in its `__init__`/);
});

test('a model name formatted with an unknown (`"encoder_{}/ffn".format(i)`) is not the template: the variable names the model', () => {
  const parsed = parsePythonModels(`import keras
import random
i = random.randint(0, 3)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="encoder_{}/ffn".format(i))
named = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)], name="encoder_{}".format(2))
`, 'f.py');
  assert.deepEqual(parsed.models.map((m) => m.name), ['model', 'encoder_2']);
});

test('BatchNormalization(scale=False) / (center=False) train (a constant gamma / beta stands for the absent weight)', () => {
  const result = spawnSync(process.execPath, [join(__dirname, '..', 'dist', 'cli.js'), 'analyze', 'test/fixtures/kerasio/bn_no_scale.py', '--json', '--seeds', '1', '--time-budget', '20'], { cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 240_000 });
  const report = JSON.parse(result.stdout) as { files: { models: { name: string; measurement: { status: string; message?: string } }[] }[] };
  assert.deepEqual(report.files[0]!.models.map((m) => [m.name, m.measurement.status, m.measurement.status === 'measured' ? '' : m.measurement.message]), [['no_scale', 'measured', ''], ['no_center', 'measured', '']]);
});

test('a free time axis gets a length the convolutions fit (20 is too short for two strided Conv1D); a window that never fits is refused on its layer', () => {
  const text = `import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(1000, 8)(inputs)
x = layers.Conv1D(8, 7, padding="valid", strides=3)(x)
x = layers.Conv1D(8, 7, padding="valid", strides=3)(x)
x = layers.GlobalMaxPooling1D()(x)
model = keras.Model(inputs, layers.Dense(1)(x))
`;
  const parsed = parsePythonModels(text, 'c.py');
  const layers = parsed.models[0]!.layers;
  assert.deepEqual(layers.map((l) => l.outputShape?.[1]), [64, 64, 20, 5, 8, 1]);
  assert.ok(parsed.problems.some((p) => /time axis is free .*the run uses 64 steps/.test(p.message)));
  assert.equal(trainingBlocker(parsed.models[0]!), undefined);
  const fixed = parsePythonModels(`import keras
from keras import layers
model = keras.Sequential([keras.Input(shape=(5, 2)), layers.Conv1D(4, 7), layers.Flatten(), layers.Dense(1)])
`, 'f.py');
  assert.match(trainingBlocker(fixed.models[0]!) ?? '', /^`conv1d_1`.*kernel 7 does not fit the input 5.*, so `model` cannot be built or trained\.$/);
});
