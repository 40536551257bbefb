import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lambdaAffine } from '../../src/core/python/lambdaAffine';
import { parsePythonModels } from '../../src/core/python/index';

test('a Lambda that is an elementwise affine map reads as its scale and offset', () => {
  assert.deepEqual(lambdaAffine('lambda p: p/255.0 - 0.5'), { scale: 1 / 255, offset: -0.5 });
  assert.deepEqual(lambdaAffine('lambda x: (x - 127.5) / 127.5'), { scale: 1 / 127.5, offset: -1 });
  assert.deepEqual(lambdaAffine('lambda x: 2 * x - 1'), { scale: 2, offset: -1 });
  assert.deepEqual(lambdaAffine('lambda x: -x'), { scale: -1, offset: 0 });
  assert.deepEqual(lambdaAffine('lambda x: x / 1e2'), { scale: 0.01, offset: 0 });
});

test('anything else is not read as affine', () => {
  for (const source of ['lambda x: x * x', 'lambda x: K.mean(x)', 'lambda x, y: x + y', 'lambda x: y + 1', 'lambda x: 3', 'lambda x: x / 0', 'lambda x: x ** 2', 'lambda x: (x + 1', 'def f(x): return x']) {
    assert.equal(lambdaAffine(source), undefined, source);
  }
});

test('a normalizing Lambda first layer no longer hides every shape after it', () => {
  const src = 'from keras.models import Sequential\nfrom keras.layers import Lambda, Conv2D, Flatten, Dense\nmodel = Sequential()\nmodel.add(Lambda(lambda p: p / 255.0 - 0.5, input_shape=(32, 32, 3)))\nmodel.add(Conv2D(8, (3, 3), activation="relu"))\nmodel.add(Flatten())\nmodel.add(Dense(10, activation="softmax"))\n';
  const r = parsePythonModels(src);
  const m = r.models[0]!;
  assert.equal(m.layers[0]!.type, 'rescaling');
  assert.equal(m.layers[0]!.config.scale, 1 / 255);
  assert.equal(m.layers[0]!.config.offset, -0.5);
  assert.deepEqual(m.layers[3]!.outputShape, [null, 10]);
  assert.ok(r.problems.some((p) => p.severity === 'info' && /Rescaling\(scale=0\.003922, offset=-0\.5\)/.test(p.message)));
  // A Lambda that is not affine stays opaque, with its warning.
  const opaque = parsePythonModels(src.replace('lambda p: p / 255.0 - 0.5', 'lambda p: p * p'));
  assert.equal(opaque.models[0]!.layers[0]!.type, 'lambda');
  assert.ok(opaque.problems.some((p) => p.severity === 'warning' && /Lambda/.test(p.message)));
});
