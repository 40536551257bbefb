/**
 * The team's small failing inputs (test/fixtures/cases/tfjs, copied from shared/cases/tfjs):
 * each asserts the value its header says is right, and each kind of fault is also checked in
 * other spellings than the file's (several string methods, CommonJS forms, run guards...).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { blocksTraining, defaultFills, shellSetArgument } from '../../src/core/holes';
import type { ModelGraph, ParseResult } from '../../src/core/ir';
import { callSitesFromImporters } from '../../src/core/parse/callSites';
import { parseModels, type ParseOptions } from '../../src/core/parse/index';
import { buildModel } from '../../src/training/buildModel';

const DIR = join(__dirname, '..', 'test', 'fixtures', 'cases', 'tfjs');
const read = (file: string): string => readFileSync(join(DIR, file), 'utf8');
const parse = (file: string, options: ParseOptions = {}): ParseResult => parseModels(read(file), join(DIR, file), { readFile: (p) => readFileSync(p, 'utf8'), ...options });
const model = (result: ParseResult, name: string): ModelGraph => {
  const found = result.models.find((m) => m.name === name);
  assert.ok(found, `model ${name} in ${result.models.map((m) => m.name).join(', ')}`);
  return found;
};
const types = (graph: ModelGraph): string[] => graph.layers.map((l) => l.type);
const holes = (graph: ModelGraph): [string, string, string][] => (graph.holes ?? []).map((h) => [h.name, h.role, h.suggestion]);
const src = (body: string): string => `import * as tf from '@tensorflow/tfjs';\n${body}`;

test('01 tf.layers.input is tf.input: 3 layers, 138 params', () => {
  const m = model(parse('01_layers_input_alias.ts'), 'm');
  assert.deepEqual(types(m), ['inputLayer', 'lstm', 'dense']);
  assert.equal(m.params, 138);
});

test('02 apply(x, {initialState}) keeps the branch that feeds the state: 6 layers, 266 params', () => {
  const m = model(parse('02_initial_state_kwarg.ts'), 'm');
  assert.deepEqual(types(m).sort(), ['inputLayer', 'lstm', 'inputLayer', 'globalAveragePooling1d', 'lstm', 'dense'].sort());
  assert.equal(m.params, 266);
  const decoder = m.layers.filter((l) => l.type === 'lstm')[1]!;
  assert.equal(decoder.inbound.length, 3, 'input, then the two states');
});

test('03 dot shapes: [null,6,6], [null,6,8], 51 params', () => {
  const m = model(parse('03_dot_layer_shape.ts'), 'm');
  assert.deepEqual(m.layers.map((l) => l.outputShape), [[null, 6, 8], [null, 6, 6], [null, 6, 6], [null, 6, 8], [null, 6, 16], [null, 6, 3]]);
  assert.equal(m.params, 51);
});

test('04 an omitted argument is undefined: undefined > 0 is false, 2 layers, 49 params', () => {
  const m = model(parse('04_omitted_arg_undefined.ts'), 'plain');
  assert.deepEqual(types(m), ['dense', 'dense']);
  assert.equal(m.params, 49);
  // Other comparisons of an omitted value, as in JS.
  const other = parseModels(src(`function f(n?: number, k?: number) { const m = tf.sequential(); m.add(tf.layers.dense({units: 2, inputShape: [3]}));
  if (n >= 1 || k < 1 || n <= 0 || 0 < n) m.add(tf.layers.dense({units: 9})); return m; }\nexport const x = f();`));
  assert.deepEqual(types(model(other, 'x')), ['dense']);
});

test('06 an architecture string from destructured options: one model per kind, dims as numbers', () => {
  const result = parse('06_string_arch_in_options.ts');
  assert.deepEqual(result.models.map((m) => m.name), ['build[lstm]', 'build[gru]']);
  assert.deepEqual(types(model(result, 'build[lstm]')), ['lstm', 'dense']);
  assert.deepEqual(types(model(result, 'build[gru]')), ['gru', 'dense']);
  assert.deepEqual(holes(model(result, 'build[lstm]')), [['steps', 'time steps', '20'], ['features', 'input dim', '10']]);
  const filled = parse('06_string_arch_in_options.ts', { set: { steps: '20', features: '10' } });
  assert.equal(model(filled, 'build[lstm]').params, 617);
  assert.equal(model(filled, 'build[gru]').params, 465);
});

test('06 the same split for args.x, process.argv and a UI getter, in templates and at top level', () => {
  const body = (subject: string): string => `const model = tf.sequential();
if (${subject} === 'wide') model.add(tf.layers.dense({units: 64, inputShape: [4]}));
else if (${subject} === 'deep') { model.add(tf.layers.dense({units: 8, inputShape: [4]})); model.add(tf.layers.dense({units: 8})); }
model.add(tf.layers.dense({units: 1}));`;
  const template = parseModels(src(`export function build(args) {\n${body('args.arch')}\nreturn model;\n}`));
  assert.deepEqual(template.models.map((m) => [m.name, m.layers.length, m.holes?.length ?? 0]), [['build[wide]', 2, 0], ['build[deep]', 3, 0]]);
  const argv = parseModels(src(`const arch = process.argv[2];\n${body('arch')}`));
  assert.deepEqual(argv.models.map((m) => [m.name, m.layers.length, m.holes?.length ?? 0]), [['model[wide]', 2, 0], ['model[deep]', 3, 0]]);
  const ui = parseModels(src(`function run() { const kind = ui.getKind();\nswitch (kind) { case 'a': return small(); case 'b': return big(); } }
function small() { const m = tf.sequential(); m.add(tf.layers.dense({units: 1, inputShape: [2]})); return m; }
function big() { const m = tf.sequential(); m.add(tf.layers.dense({units: 5, inputShape: [2]})); m.add(tf.layers.dense({units: 1})); return m; }
const model = run();`));
  assert.deepEqual(ui.models.map((m) => [m.layers.length, m.holes?.length ?? 0]).sort(), [[1, 0], [2, 0]]);
});

test('07 embedding parses: 3 layers, 6,433 params', () => {
  const m = model(parse('07_embedding_wasm_kernel.ts'), 'model');
  assert.deepEqual(types(m), ['embedding', 'globalAveragePooling1d', 'dense']);
  assert.equal(m.params, 6433);
});

test('08 one entry of a shape is one dimension: role input dim, a number; filled, 2,781 params', () => {
  const m = model(parse('08_scalar_dim_suggested_as_array.ts'), 'build');
  assert.deepEqual(holes(m), [['h', 'input dim', '28'], ['w', 'input dim', '28']]);
  const filled = model(parse('08_scalar_dim_suggested_as_array.ts', { set: { h: '28', w: '28' } }), 'build');
  assert.equal(filled.params, 2781);
  assert.equal(filled.holes, undefined);
});

test('09 a run guard decides no layer: no hole, said as a default used, 49 params', () => {
  for (const guard of ['require.main === module', 'module === require.main', 'require.main == module', "import.meta.url === `file://${process.argv[1]}`"]) {
    const text = read('09_require_main_guard.ts').replace('require.main === module', guard);
    const m = parseModels(text, '09.ts').models[0]!;
    assert.equal(m.params, 49, guard);
    assert.equal(m.holes, undefined, guard);
    assert.match(m.defaultsUsed?.[0]?.message ?? '', /run guard .* read as true/, guard);
  }
});

test('10 CommonJS call sites are followed like ESM ones: createModel([6]), 65 params', () => {
  const readFile = (p: string): string | undefined => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } };
  const target = join(DIR, '10_cjs_call_site.ts');
  const sites = callSitesFromImporters(target, [join(DIR, '10_cjs_call_site_caller.ts')], readFile);
  const m = model(parse('10_cjs_call_site.ts', { callSites: sites }), 'createModel([6])');
  assert.equal(m.params, 65);
  // The other CommonJS spellings of the export and of the import.
  const spellings: [string, string][] = [
    ['module.exports = {createModel};', "const {createModel} = require('./10_cjs_call_site');"],
    ['exports.createModel = createModel;', "const lib = require('./10_cjs_call_site'); const createModel = lib.createModel;"],
    ['module.exports.createModel = createModel;', "const {createModel: make} = require('./10_cjs_call_site'); const createModel = make;"],
  ];
  for (const [exported, imported] of spellings) {
    const files: Record<string, string> = {
      [target]: read('10_cjs_call_site.ts').replace('module.exports = createModel;', exported),
      [join(DIR, 'caller.js')]: `${imported}\nconst model = createModel([6]);`,
    };
    const found = callSitesFromImporters(target, [join(DIR, 'caller.js')], (p) => files[p] ?? readFile(p));
    assert.deepEqual(found, { createModel: [[[6]]] }, exported);
  }
});

test('11 a call result is a named hole that --set and annotations fill: 212 params', () => {
  const m = model(parse('11_call_result_not_a_hole.ts'), 'train');
  assert.deepEqual(holes(m), [['settings.units()', 'units', '32']]);
  assert.equal(model(parse('11_call_result_not_a_hole.ts', { set: { 'settings.units()': '16' } }), 'train').params, 212);
  const annotated = read('11_call_result_not_a_hole.ts').replace('export function train', '// gradient-lens: settings.units()=16\nexport function train');
  assert.equal(parseModels(annotated, '11.ts').models[0]!.params, 212);
});

test('14 optimizer arguments: learning rate and beta1 default to Adam\'s and do not block', () => {
  const m = model(parse('14_optimizer_hole_suggestion.ts'), 'build');
  assert.deepEqual(holes(m), [['lr', 'learning rate', '0.001'], ['beta1', 'optimizer parameter', '0.9']]);
  assert.ok(m.holes!.every((h) => !blocksTraining(h)));
  const defaults = defaultFills(m);
  assert.deepEqual(defaults?.fills, { lr: '0.001', beta1: '0.9' });
  assert.equal(defaults?.used[0]?.message, "learning rate `lr` unknown: used 0.001, Adam's default");
  const filled = model(parse('14_optimizer_hole_suggestion.ts', { set: defaults!.fills }), 'build');
  assert.deepEqual(filled.compile?.optimizer, { $call: 'train.adam', args: [0.001, 0.9] });
});

test('15 trainable = false freezes the sub-model where it is used: 16 of 65 params train in tfjs', async () => {
  await tf.setBackend('cpu');
  const m = model(parse('15_trainable_false_ignored.ts'), 'stacked');
  assert.deepEqual(m.layers.map((l) => l.config.trainable ?? true), [true, true, false, false]);
  assert.equal(m.params, 65);
  const built = buildModel(tf, m);
  assert.equal(built.trainableWeights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0), 16);
  built.dispose();
  // The frozen model on its own was compiled before the flag: it still trains (tfjs, Keras).
  assert.deepEqual(model(parse('15_trainable_false_ignored.ts'), 'frozen').layers.map((l) => l.config.trainable ?? true), [true, true]);
  // A layer frozen by assignment.
  const layer = parseModels(src(`const d = tf.layers.dense({units: 2, inputShape: [3]}); d.trainable = false;
const m = tf.sequential(); m.add(d); m.add(tf.layers.dense({units: 1}));`)).models[0]!;
  assert.deepEqual(layer.layers.map((l) => l.config.trainable ?? true), [false, true]);
});

test('16 string suggestions paste into a POSIX shell and arrive unchanged', () => {
  const m = model(parse('16_string_suggestion_shell_quoting.ts'), 'build');
  assert.deepEqual(holes(m), [['opt', 'optimizer', "'adam'"]]);
  assert.equal(blocksTraining(m.holes![0]!), false);
  for (const [name, value] of [['opt', "'adam'"], ['shape', '[28, 28, 1]'], ['settings.units()', '32'], ['a', `"it's"`], ['b', `'x' + "$y"`]] as const) {
    const argument = shellSetArgument(name, value);
    const received = execFileSync('sh', ['-c', `printf '%s\\n' ${argument}`], { encoding: 'utf8' }).trimEnd().split('\n');
    assert.deepEqual(received, ['--set', `${name}=${value}`], argument);
  }
  assert.equal(shellSetArgument('opt', "'adam'"), `--set "opt='adam'"`);
});

test('17 string methods of a known string decide the branch: dense model, 198 params', () => {
  const m = model(parse('17_string_method_condition.ts'), 'dense');
  assert.deepEqual(types(m), ['inputLayer', 'dense']);
  assert.deepEqual(m.layers[1]!.outputShape, [null, 17, 6]);
  assert.equal(m.params, 198);
  const text = read('17_string_method_condition.ts');
  for (const test of ["kind.includes('lstm')", "kind.startsWith('ls')", "kind.endsWith('stm')", "kind.match(/^l/)", "kind.indexOf('lstm') >= 0", "kind.search('ls') === 0", "/lstm/.test(kind)", "kind.toLowerCase() === 'lstm'"]) {
    const variant = text.replace("kind.match('lstm')", test);
    assert.deepEqual(types(parseModels(variant, '17.ts').models[0]!), ['inputLayer', 'dense'], test);
    const lstm = parseModels(variant.replace("= build('dense')", "= build('lstm')"), '17.ts').models[0]!;
    assert.deepEqual(types(lstm), ['inputLayer', 'lstm', 'timeDistributed', 'activation'], test);
  }
});

test('stacked cells: tf.layers.rnn({cell: [...]}) counts every cell', () => {
  const m = parseModels(src(`const m = tf.sequential();
m.add(tf.layers.rnn({cell: [tf.layers.lstmCell({units: 4}), tf.layers.lstmCell({units: 2})], inputShape: [5, 3]}));`)).models[0]!;
  // lstm 3->4: 4*(3*4+4*4+4) = 128; lstm 4->2: 4*(4*2+2*2+2) = 56 (tfjs countParams, shapesVsTfjs checks it).
  assert.deepEqual(m.layers[0]!.outputShape, [null, 2]);
  assert.equal(m.params, 184);
});
