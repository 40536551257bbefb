/**
 * Agreement with DeepDiagnosis (ICSE 2022) on the AutoTrainer models it published verdicts for.
 * Their code and results are not in this repository: point DEEPDIAGNOSIS_DIR at a clone of
 * github.com/DeepDiagnosis/ICSE2022 (default /work/eval/deepdiagnosis).
 *
 * Join: `AUTOTRAINER Model Code/Models_*.py` builds each model in `get_model(name)` under
 * `if "model_<8 hex>" in name:`; `DeepDiagnosis Result/*_Result.txt` has one line per model run,
 * `/<dataset>/<set>/model_<8 hex>-<rest of a UUID>/` then the verdict (empty: nothing found).
 * A model joins when its `model_<8 hex>` key is in both (48). Gradient Lens reads each file with
 * its Keras front end (one model per `in name` branch, named `get_model[model_xxxxxxxx]`) and
 * measures it with the CLI, once per seed.
 *
 * Their verdict -> ours that agree (from their callback, callback/callbacks.py):
 * - "Numerical Problem" / "Numerical Error": `identifyNumerical` is true for a mean that is NaN,
 *   Inf or exactly 0 (a ReLU layer whose every output is 0) -> non-finite, exploding, dead or
 *   constant-output (exactly-zero gradients caused at the output);
 * - "Vanishing Gradient Problem": mean |g| of a Dense kernel gradient < 1e-7 -> vanishing;
 * - "Dead Node Problem" -> dead; "Saturated Activation Problem" -> saturated;
 * - no verdict -> healthy.
 *
 * Run: node scripts/build.mjs && node scripts/build.mjs --bench &&
 *      DEEPDIAGNOSIS_DIR=... node dist-bench/deepdiagnosis.bench.js [--seeds 1,2,3] [--jobs 3]
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.DEEPDIAGNOSIS_DIR ?? '/work/eval/deepdiagnosis';
const cli = join(__dirname, '..', 'dist', 'cli.js');
const argv = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] ? argv[at + 1]! : fallback;
};
const seeds = option('--seeds', '1,2,3').split(',').map(Number);
const jobs = Math.max(1, Number(option('--jobs', '3')));

type Published = 'numerical' | 'vanishing' | 'dead' | 'saturated' | 'none' | 'other';
const AGREES: Record<Published, readonly string[]> = {
  // identifyNumerical is also true for a mean of exactly 0, which a constant output gives.
  numerical: ['non-finite', 'exploding', 'dead', 'constant-output'],
  vanishing: ['vanishing'],
  dead: ['dead'],
  saturated: ['saturated'],
  none: ['healthy'],
  other: [],
};

function published(text: string): Published {
  if (/Numerical/.test(text)) return 'numerical';
  if (/Vanishing Gradient/.test(text)) return 'vanishing';
  if (/Dead Node/.test(text)) return 'dead';
  if (/Saturated Activation/.test(text)) return 'saturated';
  return text.trim() === '' ? 'none' : 'other';
}

/** model key -> published verdict, for keys both in the model code and in the results. */
function joinable(): { files: string[]; verdicts: Map<string, Published>; codeKeys: number; resultLines: number } {
  const codeDir = join(dir, 'AUTOTRAINER Model Code');
  const resultDir = join(dir, 'DeepDiagnosis Result');
  const files = readdirSync(codeDir).filter((f) => f.endsWith('.py')).sort().map((f) => join(codeDir, f));
  const keys = new Set<string>();
  for (const file of files) for (const m of readFileSync(file, 'utf8').matchAll(/"(model_[0-9a-f]{8})"\s+in\s+name/g)) keys.add(m[1]!);
  const verdicts = new Map<string, Published>();
  let resultLines = 0;
  for (const file of readdirSync(resultDir).filter((f) => f.endsWith('.txt'))) {
    for (const line of readFileSync(join(resultDir, file), 'utf8').split('\n')) {
      const m = /^\s*\/\S*\/(model_[0-9a-f]{8})-[0-9a-f-]+\/(.*)$/.exec(line);
      if (!m) continue;
      resultLines++;
      if (keys.has(m[1]!)) verdicts.set(m[1]!, published(m[2]!));
    }
  }
  return { files, verdicts, codeKeys: keys.size, resultLines };
}

interface ModelJson {
  readonly name: string;
  readonly measurement?: { readonly status: string; readonly verdict?: string; readonly message?: string; readonly initializations?: number };
}

function analyze(file: string, seed: number): Promise<ModelJson[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'analyze', file, '--json', '--seed', String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const report = JSON.parse(out) as { files: { models: ModelJson[] }[] };
        resolve(report.files.flatMap((f) => f.models));
      } catch (error) {
        reject(new Error(`${file} (seed ${seed}): no JSON report (${String(error)})`));
      }
    });
  });
}

void (async () => {
  if (!existsSync(cli)) throw new Error('build the CLI first: node scripts/build.mjs');
  const { files, verdicts, codeKeys, resultLines } = joinable();
  const started = performance.now();
  const tasks = seeds.flatMap((seed) => files.map((file) => ({ seed, file })));
  const results = new Map<string, ModelJson[]>();
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++]!;
        const models = await analyze(task.file, task.seed);
        results.set(`${task.seed} ${task.file}`, models);
        // Progress on stderr: a file's agreement as soon as it is known.
        const keys = [...verdicts.keys()].filter((key) => models.some((m) => m.name.includes(`[${key}]`)));
        const agreeing = keys.filter((key) => AGREES[verdicts.get(key)!].includes(models.find((m) => m.name.includes(`[${key}]`))!.measurement?.verdict ?? ''));
        console.error(`seed ${task.seed} ${task.file.split('/').pop()}: ${agreeing.length}/${keys.length} (${((performance.now() - started) / 60_000).toFixed(1)} min)`);
      }
    }),
  );
  const minutes = (performance.now() - started) / 60_000;
  console.log(`## DeepDiagnosis agreement (node ${process.version}, ${new Date().toISOString().slice(0, 10)}, CLI defaults, seeds ${seeds.join(', ')})\n`);
  console.log(`${codeKeys} model keys in the code, ${resultLines} result lines, ${verdicts.size} joinable.\n`);
  const rows = new Map<string, { published: Published; ours: string[] }>();
  const summary: string[] = [];
  for (const seed of seeds) {
    let agree = 0;
    let notRead = 0;
    let notMeasured = 0;
    for (const key of verdicts.keys()) {
      const model = files.flatMap((f) => results.get(`${seed} ${f}`) ?? []).find((m) => m.name.includes(`[${key}]`));
      const ours = !model ? 'not read' : model.measurement?.status !== 'measured' ? `not measured (${model.measurement?.status})` : (model.measurement.verdict ?? '?');
      if (!model) notRead++;
      else if (model.measurement?.status !== 'measured') notMeasured++;
      if (AGREES[verdicts.get(key)!].includes(ours)) agree++;
      const row = rows.get(key) ?? { published: verdicts.get(key)!, ours: [] };
      row.ours.push(ours);
      rows.set(key, row);
    }
    summary.push(`| ${seed} | ${agree}/${verdicts.size} | ${notRead} | ${notMeasured} |`);
  }
  console.log('| seed | agree | not read by the front end | read, not measured |\n| --- | --- | --- | --- |');
  console.log(summary.join('\n'));
  console.log(`\n| model | DeepDiagnosis | ours (seed ${seeds.join(' / ')}) | agree |\n| --- | --- | --- | --- |`);
  for (const [key, row] of [...rows.entries()].sort()) {
    const agreeing = row.ours.filter((o) => AGREES[row.published].includes(o)).length;
    console.log(`| ${key} | ${row.published} | ${row.ours.join(' / ')} | ${agreeing}/${row.ours.length} |`);
  }
  console.log(`\n${tasks.length} CLI runs (${files.length} files x ${seeds.length} seeds, ${jobs} at a time) in ${minutes.toFixed(1)} min.`);
})().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
