/**
 * TS/JS front end: an argparse option declared with `choices` picks the architecture; each
 * choice is a model, whether the option is in the builder's file or in the script calling it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModels } from '../../src/core/parse/index';
import { callSitesFromImporters } from '../../src/core/parse/callSites';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures');
const disk = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

test('choices declared in the calling script: one model per choice, not the default only', () => {
  const target = join(FIXTURES, 'crossfile', 'zoo_builder.js');
  const sites = callSitesFromImporters(target, [join(FIXTURES, 'crossfile', 'zoo_cli.js')], disk);
  assert.deepEqual(sites.makeNet?.map((args) => (args[0] as Record<string, unknown>).family), ['recurrent', 'conv', 'plain']);
  const result = parseModels(readFileSync(target, 'utf8'), target, { callSites: sites, readFile: disk });
  assert.deepEqual(result.models.map((m) => m.layers.map((l) => l.type)), [
    ['gru', 'dense'],
    ['conv1d', 'globalAveragePooling1d', 'dense'],
    ['flatten', 'dense'],
  ]);
  // The other options keep their declared defaults in every reading.
  assert.deepEqual(result.models[2]!.layers[0]!.outputShape, [null, 24]);
});

test('choices declared in the file that builds: one model per choice, the default named as a branch', () => {
  const file = join(FIXTURES, 'branches', 'choices_same_file.js');
  const result = parseModels(readFileSync(file, 'utf8'), file);
  assert.deepEqual(result.models.map((m) => [m.name, m.layers.map((l) => l.type)]), [
    ['model[mlp]', ['flatten', 'dense', 'dense']],
    ['model[rnn]', ['simpleRNN', 'dense']],
    ['model[linear]', ['flatten', 'dense']],
  ]);
  // Every reading compiled its model.
  for (const m of result.models) assert.ok(m.compile, m.name);
});
