/**
 * Verdicts over the project's healthy and broken corpora (test/fixtures/corpus): a confusion
 * table for the static rules alone, the measured rules alone, and both merged as the CLI does.
 * Run: npm run bench:verdicts. Results are recorded in bench/README.md.
 */
import { join } from 'node:path';
import { evaluateCorpus, useWasm, type CorpusVerdict } from '../test/support/corpus';

function table(results: readonly CorpusVerdict[], pick: (r: CorpusVerdict) => boolean, name: string): string {
  const count = (broken: boolean, flagged: boolean) => results.filter((r) => r.broken === broken && pick(r) === flagged).length;
  return [
    `#### ${name}`,
    '| truth \\ verdict | flagged | not flagged |',
    '| --- | --- | --- |',
    `| broken (${results.filter((r) => r.broken).length}) | ${count(true, true)} | ${count(true, false)} |`,
    `| healthy (${results.filter((r) => !r.broken).length}) | ${count(false, true)} | ${count(false, false)} |`,
  ].join('\n');
}

void (async () => {
  await useWasm();
  const started = performance.now();
  const results = await evaluateCorpus(join(__dirname, '..', 'test', 'fixtures', 'corpus'));
  const seconds = (performance.now() - started) / 1000;
  console.log(`## Verdicts over the corpora (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, wasm, 1 epoch of 128 samples, 3 initializations per verdict)\n`);
  console.log([table(results, (r) => r.staticFlag, 'Static rules only'), table(results, (r) => r.measuredFlag, 'Measured rules only'), table(results, (r) => r.combinedFlag, 'Merged (what users see)')].join('\n\n'));
  console.log('\n| model | verdict | findings (warning or worse) |\n| --- | --- | --- |');
  for (const r of results) {
    const codes = r.findings.filter((f) => f.severity !== 'info').map((f) => f.code);
    console.log(`| ${r.file} | ${r.modelVerdict} | ${codes.join(', ') || '-'} |`);
  }
  console.log(`\n${results.length} models in ${seconds.toFixed(1)} s (${(seconds / results.length).toFixed(2)} s per model, parse + probe + 1 epoch).`);
})();
