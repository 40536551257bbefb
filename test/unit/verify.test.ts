import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_RUN_OPTIONS } from '../../src/training/protocol';
import { TrainingSession } from '../../src/training/session';
import { verifyFixes } from '../../src/core/pipeline/verify';

const examples = join(__dirname, '..', 'examples');

test('verify: fixes of the deep sigmoid MLP are measured on patched copies and ranked; the file is untouched', async () => {
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
  try {
    const file = join(examples, 'deep-sigmoid-mlp.ts');
    const text = readFileSync(file, 'utf8');
    const seen: string[] = [];
    const result = await verifyFixes(session, text, file, 'model', ['rnn-lstm', 'insert-batch-norm', 'activation-relu'], { ...DEFAULT_RUN_OPTIONS, epochs: 1 }, {
      onVariant: (v) => seen.push(v.code),
    });
    assert.deepEqual(seen, ['rnn-lstm', 'insert-batch-norm', 'activation-relu'], 'each variant is reported as it is measured');
    assert.equal(result.before?.analysis.modelVerdict, 'vanishing');
    const byCode = new Map(result.variants.map((v) => [v.code, v]));
    assert.equal(byCode.get('rnn-lstm')!.verdict, 'not applicable');
    assert.ok(['fixed', 'improved'].includes(byCode.get('activation-relu')!.verdict), byCode.get('activation-relu')!.explanation);
    assert.ok(['fixed', 'improved'].includes(byCode.get('insert-batch-norm')!.verdict), byCode.get('insert-batch-norm')!.explanation);
    assert.equal(result.variants[result.variants.length - 1]!.code, 'rnn-lstm', 'ranked: measured improvements first');
    assert.match(byCode.get('activation-relu')!.explanation, /first\/last gradient ratio [0-9.]+e-\d+ -> /);
    // Before and after on the same seeds, reported per initialization.
    const relu = byCode.get('activation-relu')!;
    const seedsOf = (s: NonNullable<typeof relu.after>['summary']) => [s.initSeed, ...(s.initializations ?? []).map((i) => i.initSeed)];
    assert.deepEqual(seedsOf(relu.after!.summary), seedsOf(result.before!.summary));
    assert.equal(relu.perSeed?.length, 3);
    assert.deepEqual(relu.perSeed!.map((p) => p.seed), seedsOf(result.before!.summary));
    for (const p of relu.perSeed!) assert.equal(p.before, 'vanishing');
    assert.match(relu.explanation, /^(fixed|improved) on [23] of 3 initializations \(1: vanishing -> \w+; 2: vanishing -> \w+; 3: vanishing -> \w+\)/);
    assert.equal(readFileSync(file, 'utf8'), text);
  } finally {
    await session.dispose();
  }
});

test('verify is honest about gated RNNs at initialization', async () => {
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js') });
  try {
    const file = join(examples, 'long-sequence-rnn.js');
    const result = await verifyFixes(session, readFileSync(file, 'utf8'), file, 'model', ['rnn-lstm'], { ...DEFAULT_RUN_OPTIONS, epochs: 1, samples: 64, seeds: 1 });
    const [lstm] = result.variants;
    assert.ok(lstm);
    assert.ok(['no measurable change', 'improved'].includes(lstm.verdict), `${lstm.verdict}: ${lstm.explanation}`);
    if (lstm.verdict === 'no measurable change') assert.match(lstm.explanation, /benefit shows as it learns/);
  } finally {
    await session.dispose();
  }
});
