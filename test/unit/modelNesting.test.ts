/**
 * TS/JS front end, real code as written: a model used as a layer is counted as tfjs counts it
 * (one layer) while its layers stay listed for measuring, named as the model list names them;
 * holes inside a wrapper's inner layer are listed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModels } from '../../src/core/parse/index';
import { tfjsLayerNames } from '../../src/core/graph';
import { fileReport, formatReport } from '../../src/core/report';

const DIR = join(__dirname, '..', 'test', 'fixtures', 'nesting');
const read = (file: string): string => readFileSync(join(DIR, file), 'utf8');

test('a model used as a layer counts as one layer, as tfjs lists it; partOf names it as the model list does', () => {
  const parsed = parseModels(read('gan_nested.js'), join(DIR, 'gan_nested.js'));
  const byName = new Map(parsed.models.map((m) => [m.name, m]));
  // The same file built by tfjs itself: its `model.layers` is the truth.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = require(join(DIR, 'gan_nested.js')) as Record<string, { layers: { name: string }[] }>;
  for (const name of ['generator', 'critic', 'combined', 'trunk', 'head']) {
    const graph = byName.get(name);
    assert.ok(graph, name);
    assert.equal(tfjsLayerNames(graph).length, built[name]!.layers.length, `${name}: tfjs lists ${built[name]!.layers.map((l) => l.name)}`);
  }
  // Every inner layer is still listed (each is measured).
  assert.equal(byName.get('combined')!.layers.length, 6);
  const listed = new Set(parsed.models.map((m) => m.name));
  for (const graph of parsed.models) {
    for (const layer of graph.layers) {
      if (layer.partOf === undefined) continue;
      assert.ok(listed.has(layer.partOf), `${graph.name}/${layer.id}: partOf ${layer.partOf} is a listed model`);
      for (const step of layer.partOfPath ?? []) assert.ok(listed.has(step), `${graph.name}/${layer.id}: ${step}`);
    }
  }
  // The critic's body is the second `body` in the list: its layers say so.
  assert.deepEqual(byName.get('critic')!.layers.filter((l) => l.partOf).map((l) => l.partOf), ['body (2)', 'body (2)']);
  // Two levels deep: the outermost nested model the outer model contains, and the whole path.
  const deep = byName.get('combined')!.layers.find((l) => l.type === 'dropout')!;
  assert.equal(deep.partOf, 'critic');
  assert.deepEqual(deep.partOfPath, ['critic', 'body (2)']);

  const report = fileReport('gan_nested.js', read('gan_nested.js'), parsed);
  const combined = report.models.find((m) => m.name === 'combined')!;
  assert.equal(combined.tfjsLayers, 3);
  assert.equal(report.models.find((m) => m.name === 'trunk')!.tfjsLayers, 2);
  assert.match(formatReport({ files: [report] }), /model combined \(functional, line \d+\): 6 layers \(3 as tfjs lists them: input_1, generator, critic\)/);
});

test('a hole inside a wrapper\'s inner layer is listed with the inner layer\'s role', () => {
  const parsed = parseModels(read('wrapper_hole.js'), join(DIR, 'wrapper_hole.js'));
  assert.equal(parsed.models.length, 1);
  const hole = parsed.models[0]!.holes?.find((h) => h.name === 'numTags');
  assert.ok(hole, JSON.stringify(parsed.models[0]!.holes));
  assert.equal(hole.role, 'units');
  assert.deepEqual(hole.usedBy, ['time_distributed_1.layer.units']);
});
