import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mutate, random, runOne, seeds } from '../support/fuzz';

// A few hundred seeded mutations of every example and fixture (TS/JS and Python), with the
// attacks of issue 17 among the edits. The 10,000-input run is bench/fuzz.bench.ts.
test('fuzz: no internal error, no lost file, no input over 2 s CPU', () => {
  const all = seeds(join(__dirname, '..'));
  assert.ok(all.length >= 20, `only ${all.length} seed files`);
  const rand = random(17_2026);
  let slowest = { ms: 0, at: '' };
  let withModels = 0;
  const count = 200;
  for (let i = 0; i < count; i++) {
    const seed = all[Math.floor(rand() * all.length)]!;
    const text = mutate(seed, rand);
    const outcome = runOne(text, seed.name, i % 8 === 0);
    const replay = `mutation ${i} of ${seed.name} (seed 172026)`;
    assert.equal(outcome.threw, undefined, `${replay} threw: ${outcome.threw}`);
    assert.deepEqual(outcome.internal, [], `${replay}: ${outcome.internal[0]}`);
    if (outcome.cpuMs > slowest.ms) slowest = { ms: outcome.cpuMs, at: replay };
    if (outcome.models) withModels++;
  }
  assert.ok(slowest.ms < 2000, `${slowest.at} took ${slowest.ms.toFixed(0)} ms CPU`);
  // Mutations keep most models: a reader that gives up on whole files would fail this.
  assert.ok(withModels > count / 2, `only ${withModels}/${count} mutated files kept a model`);
});
