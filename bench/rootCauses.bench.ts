/**
 * The root-cause corpus (test/fixtures/verdicts: buggy programs at the output, in the loss and
 * in the learning rate, TS and Keras, each with its fixed twin): a confusion table for the static
 * rules alone and for static + measured merged as the CLI does (wasm, the CLI's run options).
 * A buggy program counts as caught when a warning or error of the marked code sits on the marked
 * line with the marked fix first among the applicable fixes. Run: npm run bench:root-causes.
 * Results are recorded in bench/README.md.
 */
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measure } from '../src/training/measure';
import { DEFAULT_RUN_OPTIONS } from '../src/training/protocol';
import { useWasm } from '../test/support/corpus';
import { confusion, evaluateVerdictCorpus, type VerdictRow } from '../test/support/verdictCorpus';

function table(rows: readonly VerdictRow[], name: string): string {
  const c = confusion(rows);
  return [
    `#### ${name}`,
    '| truth \\ verdict | caught: right line, code and first fix | flagged, other line/code/fix | not flagged |',
    '| --- | --- | --- | --- |',
    `| buggy (${c.buggy}) | ${c.caught} | ${c.wrongPlaceOrFix} | ${c.missed} |`,
    `| fixed twin (${c.fixed}) | - | ${c.fixedFlagged} | ${c.fixedClean} |`,
  ].join('\n');
}

void (async () => {
  await useWasm();
  const root = join(__dirname, '..', 'test', 'fixtures', 'verdicts');
  const started = performance.now();
  const staticRows = await evaluateVerdictCorpus(root);
  const measuredRows = await evaluateVerdictCorpus(root, async (model) => measure(tf, model, DEFAULT_RUN_OPTIONS, {}, { cancelled: () => false }));
  const seconds = (performance.now() - started) / 1000;
  console.log(`## Root-cause corpus (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, wasm, ${DEFAULT_RUN_OPTIONS.epochs} epochs of ${DEFAULT_RUN_OPTIONS.samples} samples, seed ${DEFAULT_RUN_OPTIONS.seed})\n`);
  console.log([table(staticRows, 'Static rules only'), table(measuredRows, 'Static + measured, merged (what users see)')].join('\n\n'));
  console.log('\n| program | expected (line: code, first fix) | warnings and errors, merged (line code [fixes]) |\n| --- | --- | --- |');
  for (const r of measuredRows) {
    const mark = r.buggy ? (r.caught ? 'caught' : 'MISSED') : r.anyFlag ? 'FALSE ALARM' : 'clean';
    const expected = r.expected ? `${r.expected.line}: ${r.expected.code}, ${r.expected.fix}` : '-';
    console.log(`| ${r.file} (${mark}) | ${expected} | ${r.flagged.map((f) => `${f.line} ${f.code} [${f.fixes.join(', ')}]`).join('; ') || '-'} |`);
  }
  console.log(`\n${staticRows.length} programs, static and measured, in ${seconds.toFixed(1)} s.`);
})();
