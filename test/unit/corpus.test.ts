import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { evaluateCorpus, useWasm } from '../support/corpus';

test('healthy corpus: no warning; broken corpus: every model flagged, with the finding it is about', async () => {
  await useWasm();
  const results = await evaluateCorpus(join(__dirname, '..', 'test', 'fixtures', 'corpus'));
  const falsePositives = results.filter((r) => !r.broken && r.combinedFlag);
  assert.deepEqual(falsePositives.map((r) => `${r.file}: ${r.findings.map((f) => f.code).join(', ')}`), []);
  const missed = results.filter((r) => r.broken && !r.combinedFlag);
  assert.deepEqual(missed.map((r) => r.file), []);
  const codes = (file: string) => results.find((r) => r.file === file)!.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
  assert.ok(codes('broken/deep-sigmoid.ts').includes('vanishing-gradient'));
  assert.ok(codes('broken/large-init-relu.ts').includes('exploding-gradient'));
  assert.ok(codes('broken/dead-relu.ts').includes('dead-relu'));
  assert.ok(codes('broken/saturated-tanh.ts').includes('saturating-activation'));
  assert.ok(codes('broken/long-simple-rnn.js').includes('long-sequence-rnn'));
  assert.ok(results.filter((r) => !r.broken).length >= 9 && results.filter((r) => r.broken).length >= 7);
});
