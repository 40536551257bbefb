/**
 * TS/JS front end: a builder whose parameters are models, called only from another file with
 * other builders' models (`autoencoder(encoder(6), decoder(6))`), is read with those models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModels } from '../../src/core/parse/index';
import { callSitesFromImporters } from '../../src/core/parse/callSites';
import { tfjsLayerNames } from '../../src/core/graph';

const DIR = join(__dirname, '..', 'test', 'fixtures', 'crossfile');
const target = join(DIR, 'ae_model.js');
const disk = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

function read(caller: string): ReturnType<typeof parseModels> {
  const files: Record<string, string> = { [join(DIR, 'ae_train_variant.js')]: caller };
  const readFile = (p: string): string | undefined => files[p] ?? disk(p);
  const callers = caller ? [join(DIR, 'ae_train_variant.js')] : [join(DIR, 'ae_train.js')];
  const sites = callSitesFromImporters(target, callers, readFile);
  return parseModels(readFileSync(target, 'utf8'), target, { callSites: sites, readFile });
}

test('model-valued arguments from another file are the models those builders build', () => {
  const result = read('');
  const names = result.models.map((m) => m.name);
  assert.deepEqual(names, ['encoder(6)', 'decoder(6)', 'autoencoder(encoder(6), decoder(6))']);
  const ae = result.models[2]!;
  assert.ok(!result.problems.some((p) => /symbolic tensors/.test(p.message)), result.problems.map((p) => p.message).join(' | '));
  // tfjs itself, running the calling file: its `layers` is the truth.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = (require(join(DIR, 'ae_train.js')) as { ae: { layers: unknown[]; countParams(): number } }).ae;
  assert.equal(tfjsLayerNames(ae).length, built.layers.length);
  assert.equal(ae.params, built.countParams());
  assert.deepEqual(ae.layers.map((l) => l.partOf ?? null), [null, 'encoder(6)', 'encoder(6)', 'decoder(6)']);
});

test('the same when the caller binds the models to names first (`const e = m.encoder(3)`)', () => {
  const viaNames = read("const m = require('./ae_model');\nconst e = m.encoder(3);\nconst d = m.decoder(3);\nconst ae = m.autoencoder(e, d);\n");
  const ae = viaNames.models.find((m) => m.name.startsWith('autoencoder('));
  assert.ok(ae, viaNames.models.map((m) => m.name).join(', '));
  assert.equal(ae.name, 'autoencoder(encoder(3), decoder(3))');
  assert.equal(ae.layers.length, 4);
  assert.equal(ae.params, 4 * 3 + 4 + 4 * 2 + 2 + 2 * 3 + 3);
});
