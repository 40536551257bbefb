/**
 * Kinds of code met in a second round of other people's Keras and tfjs programs (course repos,
 * book exercises; bench/README "Code in the wild, round 2"), each with an input of our own in
 * test/fixtures/wild2: a vocabulary from `set` / `sorted` / a dict comprehension, feature-wise
 * normalization (`x -= x.mean(axis=0)`), a k-fold loop that builds one model per fold, an int
 * `input_shape=(28*28)`, a number `inputShape: 2` in tfjs, and a hole named `len(df.keys())`
 * that --set and annotations must accept.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseSource } from '../../src/core/source';
import { parseArgs } from '../../src/cli/args';
import { broadcastShapes } from '../../src/core/python/expressions';

const root = join(__dirname, '..');
const fixture = (name: string): string => readFileSync(join(root, 'test', 'fixtures', 'wild2', name), 'utf8');

test('a vocabulary from set/sorted/dict comprehension/dict(pairs) sizes the model: 5 distinct letters of "abracadabra"', () => {
  const { models, problems } = parseSource(fixture('char_vocab.py'), 'char_vocab.py');
  assert.equal(models.length, 1);
  const [rnn, dense] = models[0]!.layers;
  assert.deepEqual(rnn!.outputShape, [null, 10, 16]);
  assert.equal(rnn!.params, 16 * (5 + 16 + 1));
  assert.deepEqual(dense!.outputShape, [null, 10, 5]);
  assert.equal(models[0]!.holes, undefined, JSON.stringify(models[0]!.holes));
  assert.ok(!problems.some((p) => /not defined in this file|not evaluated/.test(p.message)), problems.map((p) => p.message).join('\n'));
});

test('Python built-ins on constants: set keeps first-seen order, sorted, dict from pairs and keywords', () => {
  const text = `from tensorflow import keras
a = set([3, 1, 3, 2, 1])
b = sorted(a, reverse=True)
c = dict([('x', 1), ('y', 2)], z=3)
d = {k: v * 2 for k, v in c.items()}
model = keras.Sequential([keras.layers.Dense(len(a) + b[0] + d['z'], input_shape=(len(c),))])
`;
  const model = parseSource(text, 'b.py').models[0]!;
  // len(a) = 3, b[0] = 3, d['z'] = 6: 12 units on 3 inputs.
  assert.equal(model.layers[0]!.params, 3 * 12 + 12);
});

test('feature-wise normalization keeps the dataset shape; a k-fold loop builds the model once', () => {
  const { models, problems } = parseSource(fixture('kfold_normalized.py'), 'kfold_normalized.py');
  assert.equal(models.length, 1, models.map((m) => m.name).join(', '));
  assert.equal(models[0]!.name, 'model');
  assert.equal(models[0]!.layers[0]!.params, 13 * 32 + 32, 'boston_housing has 13 features');
  assert.equal(models[0]!.holes, undefined);
  assert.ok(problems.some((p) => p.severity === 'info' && /built here more than once with the same layers and compile/.test(p.message)));
  // Different models from one loop stay apart.
  const sizes = parseSource(`from tensorflow import keras
for units in [8, 16]:
    model = keras.Sequential([keras.layers.Dense(units, input_shape=(4,))])
`, 's.py').models;
  assert.deepEqual(sizes.map((m) => m.params), [40, 80]);
});

test('NumPy broadcasting of shapes: trailing dimensions equal or 1', () => {
  assert.deepEqual(broadcastShapes([404, 13], [13]), [404, 13]);
  assert.deepEqual(broadcastShapes([404, 13], []), [404, 13]);
  assert.deepEqual(broadcastShapes([8, 1, 3], [5, 1]), [8, 5, 3]);
  assert.equal(broadcastShapes([404, 13], [12]), undefined);
});

test('an int input_shape (`(28*28)` is no tuple) is measured as (784,), with a warning that Keras raises here', () => {
  const text = fixture('int_input_shape.py');
  const { models, problems } = parseSource(text, 'int_input_shape.py');
  assert.equal(models[0]!.layers[0]!.params, 784 * 64 + 64);
  const warning = problems.find((p) => /is the number 784, not a tuple/.test(p.message))!;
  assert.equal(warning.severity, 'warning');
  assert.match(warning.message, /Write `input_shape=\(784,\)`/);
  assert.equal(text.slice(warning.range.start, warning.range.end), '(28*28)');
});

test('tfjs `inputShape: 2` (a number) is [2], as tfjs reads it', () => {
  const { models, problems } = parseSource(fixture('number_input_shape.js'), 'number_input_shape.js');
  assert.deepEqual(models[0]!.layers.map((l) => l.params), [12, 15]);
  assert.ok(!problems.some((p) => /declares no input shape/.test(p.message)));
});

test('a hole named after a nested call (`len(frame.keys())`) is filled by --set and by an annotation, as the message suggests', () => {
  const text = fixture('pandas_width.py');
  const hole = parseSource(text, 'pandas_width.py').models[0]!.holes![0]!;
  assert.equal(hole.name, 'len(frame.keys())');
  const options = parseArgs(['analyze', 'pandas_width.py', '--set', `${hole.name}=6`]);
  assert.ok(options.command === 'analyze' && options.set[hole.name] === '6');
  assert.equal(parseSource(text, 'pandas_width.py', { set: { [hole.name]: '6' } }).models[0]!.layers[0]!.params, 6 * 8 + 8);
  const annotated = `# gradient-lens: ${hole.name}=5\n${text}`;
  assert.equal(parseSource(annotated, 'pandas_width.py').models[0]!.layers[0]!.params, 5 * 8 + 8);
  // The CLI takes it and measures nothing unknown (exit 0 with --static).
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'analyze', 'test/fixtures/wild2/pandas_width.py', '--static', '--set', `${hole.name}=6`], { cwd: root, encoding: 'utf8' });
  assert.equal(cli.status, 0, cli.stderr);
  assert.match(cli.stdout, /2 layers, 65 params/);
});

test('a usage error says what is wrong and where the usage is, not 50 lines of usage', () => {
  const cli = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'analyze', 'x.ts', '--set', 'bad'], { cwd: root, encoding: 'utf8' });
  assert.equal(cli.status, 2);
  assert.deepEqual(cli.stderr.trim().split('\n'), [
    "gradient-lens: --set takes name=value (a name such as units or xTrain.shape[1], then a value), not 'bad'",
    'Run `gradient-lens --help` for the usage, the fix codes and the exit statuses.',
  ]);
});

test('tfjs: `Object.keys(rows[0].fields).length` is a hole named after its text (unresolved, fillable), not a failed model', () => {
  const text = fixture('count_width.js');
  const model = parseSource(text, 'count_width.js').models[0]!;
  assert.deepEqual(model.holes?.map((h) => h.name), ['Object.keys(records[0].fields).length']);
  const filled = parseSource(text, 'count_width.js', { set: { 'Object.keys(records[0].fields).length': '5' } }).models[0]!;
  // [2, 5] -> dense 8 on the last axis (48), flatten 16, dense 2 (34).
  assert.deepEqual(filled.layers.map((l) => l.params), [48, 0, 34]);
  assert.equal(filled.holes, undefined);
});

test('Python: a positional argument after a keyword argument is the syntax error Python reports (a `==` typo named), exit 3', () => {
  const text = `from tensorflow import keras
model = keras.Sequential([
    keras.layers.Dense(16, kernel_regularizer=keras.regularizers.l2(0.001), input_shape=(8,),
                       activation=='relu'),
    keras.layers.Dense(1, activation='sigmoid'),
])
model.compile(optimizer='adam', loss='binary_crossentropy', *[], **{})
print(*[1], sep='')
`;
  const errors = parseSource(text, 'order.py').problems.filter((p) => p.severity === 'error');
  assert.equal(errors.length, 1, errors.map((e) => e.message).join('\n'));
  assert.match(errors[0]!.message, /^Syntax error: positional argument follows keyword argument \(`activation=='relu'`: `==` compares; a keyword argument takes one `=`\)/);
  assert.equal(text.slice(errors[0]!.range.start, errors[0]!.range.end), "activation=='relu'");
  // Unpacking after keywords (`f(a=1, *xs)`) and generator arguments are Python; they stay silent.
  assert.deepEqual(parseSource('f(a=1, *xs)\ng(x for x in y)\nh(1, b=2, **k)\n', 'ok.py').problems.filter((p) => p.severity === 'error'), []);
});

test('a misspelt module (`laysers.Dense`) names the likely one; quoted code in a message is one line', () => {
  const text = `from keras import models, regularizers
model = models.Sequential()
model.add(laysers.Dense(16, kernel_regularizer=regularizers.l2(0.001),
                        activation='relu', input_shape=(100,)))
`;
  const problems = parseSource(text, 'typo.py').problems;
  const left = problems.find((p) => /is not a layer the parser could read/.test(p.message))!;
  assert.match(left.message, /`laysers` is not defined in this file \(a typo for `layers`\?\)/);
  for (const p of problems) assert.ok(!p.message.includes('\n'), p.message);
  // A name far from any module gets no guess.
  assert.doesNotMatch(parseSource(text.replace(/laysers/g, 'blocks'), 'typo.py').problems.map((p) => p.message).join('\n'), /a typo for/);
});

test('a plain class the file never instantiates runs its __init__ as a template: its models found, named after their attributes, its parameters holes', () => {
  const text = fixture('plain_class_gan.py');
  const { models } = parseSource(text, 'plain_class_gan.py');
  assert.deepEqual(models.map((m) => m.name), ['GAN.critic', 'GAN.generator']);
  assert.deepEqual(models[0]!.holes?.map((h) => h.name), ['input_dim']);
  assert.deepEqual(models[1]!.holes?.map((h) => h.name).sort(), ['input_dim', 'z_dim']);
  // Filled from the command line or an annotation above the class; the default `hidden=64` is used.
  const filled = parseSource(text, 'plain_class_gan.py', { set: { input_dim: '8', z_dim: '4' } }).models;
  assert.deepEqual(filled.map((m) => m.params), [8 * 64 + 64 + 65, 4 * 64 + 64 + 64 * 8 + 8]);
  const annotated = text.replace('class GAN():', '# gradient-lens: input_dim=8, z_dim=4\nclass GAN():');
  assert.deepEqual(parseSource(annotated, 'plain_class_gan.py').models.map((m) => m.params), [641, 840]);
  // Instantiated in the file: read from that call, with its arguments, and no template run.
  const used = parseSource(`${text}\ngan = GAN(8, 4, hidden=16)\n`, 'plain_class_gan.py').models;
  assert.deepEqual(used.map((m) => [m.name, m.params]), [['critic', 8 * 16 + 16 + 17], ['generator', 4 * 16 + 16 + 16 * 8 + 8]]);
});

test('a file that only defines a custom layer builds no model: not "no model could be read" (exit 0, not 3)', async () => {
  const { modelCallIn } = await import('../../src/core/pipeline/buildsModel');
  const library = `import tensorflow as tf
from tensorflow.keras.layers import MultiHeadAttention, Dense

class Block(tf.keras.layers.Layer):
    def __init__(self, dim, heads):
        super().__init__()
        self.att = MultiHeadAttention(num_heads=heads, key_dim=dim)
        self.ffn = tf.keras.Sequential([Dense(dim * 4, activation='relu'), Dense(dim)])

    def call(self, x):
        return self.ffn(self.att(x, x))
`;
  assert.equal(modelCallIn(library, true), undefined);
  // A model built at the top level still counts (line 13).
  assert.deepEqual(modelCallIn(`${library}\ninputs = tf.keras.Input(shape=(8, 16))\n`, true), { line: 13, call: 'keras.Input(' });
});
