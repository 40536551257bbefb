// A string from outside the file that picks the architecture (argparse, sys.argv through a
// parameter, a table of builders, options read from a file) gives one model per branch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonModels } from '../../src/core/python/index';
import type { ModelGraph, ParseResult } from '../../src/core/ir';
import { shellSetArgument } from '../../src/core/holes';
import { parseArgs } from '../../src/cli/args';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'python', 'arch');

function parse(name: string): ParseResult {
  return parsePythonModels(readFileSync(join(FIXTURES, name), 'utf8'), name);
}

const types = (m: ModelGraph): string[] => m.layers.map((l) => l.type);
const names = (r: ParseResult): string[] => r.models.map((m) => m.name);

function model(result: ParseResult, name: string): ModelGraph {
  const found = result.models.find((m) => m.name === name);
  assert.ok(found, `no model \`${name}\`; got ${names(result).join(', ')}`);
  return found;
}

test('argparse choices: one model per choice; an option that builds no layer adds none', () => {
  const result = parse('argparse_choices.py');
  assert.deepEqual(names(result), ['model[cnn]', 'model[mlp]', 'model[lstm]']);
  assert.deepEqual(types(model(result, 'model[cnn]')), ['conv2d', 'maxPooling2d', 'flatten', 'dense']);
  assert.deepEqual(types(model(result, 'model[mlp]')), ['flatten', 'dense', 'dense', 'dense']);
  assert.deepEqual(model(result, 'model[mlp]').layers.slice(1, 3).map((l) => l.activation), ['sigmoid', 'sigmoid']);
  assert.deepEqual(types(model(result, 'model[lstm]')), ['reshape', 'lstm', 'dense']);
  // `--optimizer` (choices adam, sgd) changes only compile: the default is kept.
  assert.ok(result.models.every((m) => m.compile?.optimizer === 'adam'));
  assert.ok(result.models.every((m) => !m.holes));
  const said = result.problems.find((p) => p.message.startsWith('`--model` picks the architecture'));
  assert.ok(said, 'the fork is said on the option');
  assert.equal(said.severity, 'info');
});

test('argparse default without choices: the strings a builder compares it with are the branches', () => {
  const result = parse('argparse_builder.py');
  assert.deepEqual(names(result), ['model[resnet]', 'model[plain]', 'model[tiny]']);
  assert.equal(model(result, 'model[resnet]').layers.filter((l) => l.type === 'add').length, 3);
  assert.equal(model(result, 'model[plain]').layers.filter((l) => l.type === 'conv2d').length, 7);
  // `arch in ("tiny", "small")`: both strings build the same model, listed once.
  assert.deepEqual(types(model(result, 'model[tiny]')), ['inputLayer', 'conv2d', 'maxPooling2d', 'globalAveragePooling2d', 'dense']);
  assert.ok(result.models.every((m) => m.kind === 'functional' && !m.holes));
});

test('sys.argv through a parameter: one model per compared string instead of a hole', () => {
  const result = parse('caller_argv.py');
  assert.deepEqual(names(result), ['net[conv]', 'net[dense]']);
  assert.deepEqual(types(model(result, 'net[conv]')), ['conv1d', 'globalMaxPooling1d', 'dense']);
  assert.deepEqual(types(model(result, 'net[dense]')), ['flatten', 'dense', 'dense', 'dense']);
  assert.ok(result.models.every((m) => !m.holes), 'no hole is left for the string');
  assert.ok(!result.problems.some((p) => /read the first branch only/.test(p.message)));
});

test('a table of builders and options read from a file: keys and compared strings are the branches', () => {
  const result = parse('options_dict.py');
  assert.deepEqual(names(result), ['regressor[small]', 'regressor[large]', 'head[bn]', 'head[selu]']);
  assert.equal(model(result, 'regressor[large]').layers.length, 4);
  assert.deepEqual(model(result, 'regressor[large]').inputShape, [8]);
  assert.deepEqual(types(model(result, 'head[bn]')), ['dense', 'batchNormalization', 'activation', 'dense']);
  assert.deepEqual(types(model(result, 'head[selu]')), ['dense', 'activation', 'dense']);
  // The builders are called by one value or the other: no template run of them is left over.
  assert.ok(!result.problems.some((p) => p.message.includes('n_in')), result.problems.map((p) => p.message).join('\n'));
});

test('the same file gives the same names and models every time', () => {
  const a = parse('options_dict.py');
  const b = parse('options_dict.py');
  assert.deepEqual(JSON.stringify(a), JSON.stringify(b));
});

test('an option that changes a layer config (activation choices) forks; strings never compared do not', () => {
  const src = [
    'import argparse',
    'from keras.models import Sequential',
    'from keras.layers import Dense',
    'p = argparse.ArgumentParser()',
    "p.add_argument('--act', default='relu', choices=['relu', 'sigmoid'])",
    "p.add_argument('--out', default='model.h5')",
    "p.add_argument('--loss', default='mse', choices=['mse', 'mae'])",
    'a = p.parse_args()',
    'm = Sequential()',
    "m.add(Dense(32, activation=a.act, input_shape=(4,)))",
    "m.add(Dense(1))",
    "m.compile(optimizer='adam', loss=a.loss)",
    'm.save(a.out)',
  ].join('\n');
  const result = parsePythonModels(src, 'act.py');
  assert.deepEqual(names(result), ['m[relu]', 'm[sigmoid]']);
  assert.equal(model(result, 'm[sigmoid]').layers[0]!.activation, 'sigmoid');
  assert.ok(result.models.every((m) => m.compile?.loss === 'meanSquaredError'));
});

test('a hole compared with one string that no value changes stays a hole, suggested as that string', () => {
  const src = [
    'import json',
    'from keras.models import Sequential',
    'from keras.layers import Dense',
    'cfg = json.load(open("c.json"))',
    'm = Sequential()',
    'm.add(Dense(8, input_shape=(4,)))',
    'if cfg["mode"] == "deep":',
    '    m.add(Dense(8))',
    'm.add(Dense(1))',
  ].join('\n');
  const result = parsePythonModels(src, 'one.py');
  assert.deepEqual(names(result), ['m']);
  const hole = model(result, 'm').holes?.find((h) => h.role === 'condition');
  assert.ok(hole, 'the condition is a hole');
  assert.equal(hole.name, 'cfg["mode"]');
  // The compared string, not the subscript key (`"mode"`).
  assert.equal(hole.suggestion, '"deep"');
  // The hole's name fills it back.
  const filled = parsePythonModels(src, 'one.py', { set: { 'cfg["mode"]': '"shallow"' } });
  assert.deepEqual(types(model(filled, 'm')), ['dense', 'dense']);
});

test('an option compared with named constants, and read through vars(args), forks too', () => {
  const src = [
    'import argparse',
    'from keras.models import Sequential',
    'from keras.layers import Dense, LSTM, Conv1D, Flatten',
    'LSTM_NAME = "lstm"',
    'CNN_NAME = "cnn"',
    'parser = argparse.ArgumentParser()',
    'parser.add_argument("-m", type=str, default=LSTM_NAME)',
    'options = vars(parser.parse_args())',
    'model = Sequential()',
    'if options["m"] == LSTM_NAME:',
    '    model.add(LSTM(32, input_shape=(10, 3)))',
    'elif options["m"] == CNN_NAME:',
    '    model.add(Conv1D(8, 3, input_shape=(10, 3)))',
    '    model.add(Flatten())',
    'model.add(Dense(1))',
  ].join('\n');
  const result = parsePythonModels(src, 'named.py');
  assert.deepEqual(names(result), ['model[lstm]', 'model[cnn]']);
  assert.deepEqual(types(model(result, 'model[cnn]')), ['conv1d', 'flatten', 'dense']);
});

test("a hole named by a string key (`cfg['mode']`) pastes into the CLI's --set through a shell", () => {
  const src = [
    'import json',
    'from keras.models import Sequential',
    'from keras.layers import Dense',
    'cfg = json.load(open("c.json"))',
    'm = Sequential()',
    'm.add(Dense(8, input_shape=(4,)))',
    "if cfg['mode'] == 'deep':",
    '    m.add(Dense(8))',
    'm.add(Dense(1))',
  ].join('\n');
  const hole = parsePythonModels(src, 'one.py').models[0]!.holes![0]!;
  assert.equal(hole.name, "cfg['mode']");
  const advice = shellSetArgument(hole.name, '"shallow"');
  // What a POSIX shell passes on for the quoted word.
  const word = execFileSync('sh', ['-c', `printf %s ${advice.slice('--set '.length)}`], { encoding: 'utf8' });
  const options = parseArgs(['analyze', 'one.py', '--set', word]);
  assert.equal(options.command, 'analyze');
  const filled = parsePythonModels(src, 'one.py', { set: options.command === 'analyze' ? options.set : {} });
  assert.deepEqual(types(model(filled, 'm')), ['dense', 'dense']);
  assert.equal(model(filled, 'm').holes, undefined);
});

test('absl flags and `match`: one model per enum value; `case "rnn" | "lstm"` is one model', () => {
  const result = parse('absl_match.py');
  assert.deepEqual(names(result), ['build[cnn]', 'build[rnn]']);
  assert.deepEqual(types(model(result, 'build[cnn]')), ['conv1d', 'globalAveragePooling1d', 'dense']);
  // FLAGS.units is the integer flag's default.
  assert.equal(model(result, 'build[rnn]').layers[0]!.config.units, 64);
  assert.deepEqual(types(model(result, 'build[rnn]')), ['lstm', 'dense']);
});

test('`match` on an unknown string and a conditional expression on an option fork as `if` does', () => {
  const matched = parsePythonModels([
    'import sys',
    'from keras.models import Sequential',
    'from keras.layers import Dense, Dropout',
    'm = Sequential([Dense(16, input_shape=(4,))])',
    'match sys.argv[1]:',
    '    case "dropout":',
    '        m.add(Dropout(0.5))',
    '    case "deep":',
    '        m.add(Dense(16))',
    '        m.add(Dense(16))',
    'm.add(Dense(1))',
  ].join('\n'), 'match.py');
  assert.deepEqual(names(matched), ['m[dropout]', 'm[deep]']);
  assert.deepEqual(types(model(matched, 'm[deep]')), ['dense', 'dense', 'dense', 'dense']);
  const ternary = parsePythonModels([
    'import argparse',
    'from keras.models import Sequential',
    'from keras.layers import Dense',
    'p = argparse.ArgumentParser()',
    'p.add_argument("--head", default="linear")',
    'args = p.parse_args()',
    'm = Sequential([Dense(16, input_shape=(4,))])',
    'm.add(Dense(1, activation="sigmoid" if args.head == "binary" else None))',
  ].join('\n'), 'ternary.py');
  assert.deepEqual(names(ternary), ['m[linear]', 'm[binary]']);
  assert.equal(model(ternary, 'm[binary]').layers[1]!.activation, 'sigmoid');
  assert.equal(model(ternary, 'm[linear]').layers[1]!.activation, undefined);
});

test('an option normalised before the comparison (`args.model.lower() == "cnn"`) forks too', () => {
  const result = parsePythonModels([
    'import argparse',
    'from keras.models import Sequential',
    'from keras.layers import Dense, Conv1D, Flatten',
    'p = argparse.ArgumentParser()',
    'p.add_argument("--model", default="MLP")',
    'args = p.parse_args()',
    'm = Sequential()',
    'if args.model.lower() == "cnn":',
    '    m.add(Conv1D(8, 3, input_shape=(10, 1)))',
    '    m.add(Flatten())',
    'else:',
    '    m.add(Flatten(input_shape=(10, 1)))',
    'm.add(Dense(1))',
  ].join('\n'), 'lower.py');
  assert.deepEqual(names(result), ['m[MLP]', 'm[cnn]']);
  assert.deepEqual(types(model(result, 'm[cnn]')), ['conv1d', 'flatten', 'dense']);
});
