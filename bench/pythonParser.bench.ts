/**
 * Keras front-end speed on real files: the four AutoTrainer model files of DeepDiagnosis
 * (2,547 lines, 89 models read through `get_model(name)` branches), the Keras corpus of
 * bench/keras-corpus, and the files where a string from outside picks the architecture
 * (test/fixtures/python/arch: one extra reading per value). Median of 21 rounds after 3
 * warm-up rounds. Run: node scripts/build.mjs --bench && node dist-bench/pythonParser.bench.js
 * (DEEPDIAGNOSIS_DIR, default /work/eval/deepdiagnosis). Results: bench/README.md.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePythonModels } from '../src/core/python/index';

const root = join(__dirname, '..');
const deepdiagnosis = join(process.env.DEEPDIAGNOSIS_DIR ?? '/work/eval/deepdiagnosis', 'AUTOTRAINER Model Code');

function pythonFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.py')).sort().map((f) => readFileSync(join(dir, f), 'utf8')) : [];
}

const sets: [string, string[]][] = [
  ['DeepDiagnosis AutoTrainer models', pythonFiles(deepdiagnosis)],
  ['bench/keras-corpus', pythonFiles(join(root, 'bench', 'keras-corpus'))],
  ['test/fixtures/python/arch (variants)', pythonFiles(join(root, 'test', 'fixtures', 'python', 'arch'))],
];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

console.log('| files | lines | models | median ms |');
console.log('| --- | --- | --- | --- |');
for (const [name, files] of sets) {
  if (!files.length) {
    console.log(`| ${name}: not found | | | |`);
    continue;
  }
  let models = 0;
  const once = (): number => {
    const start = performance.now();
    models = 0;
    for (const text of files) models += parsePythonModels(text, 'model.py').models.length;
    return performance.now() - start;
  };
  for (let i = 0; i < 3; i++) once();
  const times = Array.from({ length: 21 }, once);
  const lines = files.reduce((n, t) => n + t.split('\n').length, 0);
  console.log(`| ${name} (${files.length}) | ${lines} | ${models} | ${median(times).toFixed(1)} |`);
}
