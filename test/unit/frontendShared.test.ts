/**
 * What both front ends share (src/core/frontend/): annotation text, the hole-name grammar,
 * model names and the problem list, checked on their own and against each front end's use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { presetText, splitFills } from '../../src/core/frontend/annotations';
import { HOLE_NAME, compactChain, wholeChain } from '../../src/core/frontend/holeNames';
import { runTitles, UniqueNames } from '../../src/core/frontend/modelNames';
import { ProblemLog } from '../../src/core/frontend/problems';
import { FILL_NAME } from '../../src/core/python/syntax';

test('an annotation body splits at each name=, keeping commas inside brackets and quotes; == is no assignment', () => {
  assert.deepEqual(splitFills("a=1, shape=[28, 28, 1], kind='x, y', ok=n == 2"), [
    { name: 'a', expression: '1' },
    { name: 'shape', expression: '[28, 28, 1]' },
    { name: 'kind', expression: "'x, y'" },
    { name: 'ok', expression: 'n == 2' },
  ]);
  assert.deepEqual(splitFills('xTrain.shape[1]=13, cfg["arch"]=cnn'), [
    { name: 'xTrain.shape[1]', expression: '13' },
    { name: 'cfg["arch"]', expression: 'cnn' },
  ]);
  assert.equal(presetText({ units: '64', shape: '[2, 3]' }), 'units=64, shape=[2, 3]');
});

test('hole names: JS allows $ and one-argument calls; Python names allow a call with spaces', () => {
  const js = wholeChain(HOLE_NAME);
  assert.ok(js.test('$cfg.units') && js.test('shape.slice(1)') && !js.test('f(a, b)') && !js.test('1a'));
  const py = wholeChain(FILL_NAME);
  assert.ok(py.test('f(a, b)') && !py.test('$cfg'));
  assert.equal(compactChain('a . b [ 1 ]', wholeChain(HOLE_NAME)), 'a.b[1]');
  assert.equal(compactChain('a + b', wholeChain(HOLE_NAME)), undefined);
});

test('model names: a run with one model takes its title, a run with several names each title.variable; repeats are numbered', () => {
  const models = [{ run: 'cnn', v: 'model' }, { run: 'mlp', v: 'a' }, { run: 'mlp', v: 'b' }, { run: undefined, v: 'm' }];
  const titled = runTitles(models, (m) => m.run);
  assert.deepEqual(models.map((m) => titled(m, m.v)), ['cnn', 'mlp.a', 'mlp.b', 'm']);
  const names = new UniqueNames();
  assert.deepEqual(['cnn', 'cnn', 'mlp', 'cnn'].map((n) => names.take(n)), ['cnn', 'cnn (2)', 'mlp', 'cnn (3)']);
});

test('the problem list says each problem once and can say a dropped one again', () => {
  const log = new ProblemLog((message, range) => `${range.start}:${message}`);
  log.add('x', { start: 1, end: 2 }, 'warning');
  log.add('x', { start: 1, end: 5 }, 'warning');
  log.add('y', { start: 3, end: 4 }, 'info');
  assert.deepEqual(log.items.map((p) => p.message), ['x', 'y']);
  const items = log.items;
  log.dropFrom(1);
  assert.equal(items, log.items, 'dropped in place: front ends hand the array out');
  assert.deepEqual(log.items.map((p) => p.message), ['x']);
  log.add('y', { start: 3, end: 4 }, 'info');
  log.drop([log.items[0]!]);
  assert.deepEqual(log.items.map((p) => p.message), ['y']);
});
