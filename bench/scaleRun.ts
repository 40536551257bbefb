/**
 * One measurement of one model file, as the CLI runs it (a fresh process, a training worker,
 * default run options), for the scale benchmark (bench/scale.bench.ts), which builds this file
 * against the product's sources before and after a change and runs both, interleaved.
 * Prints one JSON line: wall time, time to the first statistics and to the first verdict, steps, how the run stopped, the
 * verdict, and the process's peak RSS (the worker is a thread of this process).
 * Usage: node scaleRun.js <model file> [budget seconds]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MEASURED_THRESHOLDS, measuredFindings } from '../src/core/analysis/measuredRules';
import { parseModels } from '../src/core/parse/index';
import { DEFAULT_RUN_OPTIONS } from '../src/training/protocol';
import { TrainingSession } from '../src/training/session';

async function main(): Promise<void> {
  const started = performance.now();
  const file = process.argv[2]!;
  const budgetSeconds = Number(process.argv[3] ?? DEFAULT_RUN_OPTIONS.timeBudgetMs / 1000);
  const graph = parseModels(readFileSync(file, 'utf8'), file).models[0]!;
  const session = new TrainingSession({ workerPath: join(__dirname, 'worker.js'), backend: 'wasm' });
  let probeAt: number | undefined;
  let firstStepsAt: number | undefined;
  let firstVerdictAt: number | undefined;
  const result = await session.run(graph, { ...DEFAULT_RUN_OPTIONS, timeBudgetMs: budgetSeconds * 1000 }, (message) => {
    if (message.type === 'probe' && probeAt === undefined) probeAt = performance.now() - started;
    if (message.type === 'steps' && firstStepsAt === undefined) firstStepsAt = performance.now() - started;
    if (message.type === 'first-initialization') firstVerdictAt = performance.now() - started;
  });
  const wallMs = performance.now() - started;
  await session.dispose();
  const summary = result.status === 'error' ? undefined : result.summary;
  const verdict = summary && result.status === 'done' ? measuredFindings(graph, summary, DEFAULT_MEASURED_THRESHOLDS).modelVerdict : undefined;
  const extra = summary as unknown as { probe?: { elapsedMs?: number; scaled?: unknown } } | undefined;
  process.stdout.write(
    `${JSON.stringify({
      file,
      status: result.status,
      ...(result.status === 'error' ? { error: result.message } : {}),
      backend: result.backend,
      wallMs,
      probeAt,
      firstVerdictAt,
      firstStepsAt,
      probeMs: extra?.probe?.elapsedMs,
      steps: summary?.steps ?? 0,
      trainingMs: summary?.trainingMs,
      // The product lowers the batch for expensive models and, with budget left, measures more
      // initializations: per-sample training time and the count make runs comparable.
      batchSize: summary ? (summary.batchSize ?? DEFAULT_RUN_OPTIONS.batchSize) : undefined,
      initializations: summary ? 1 + (summary.initializations?.length ?? 0) : 0,
      stoppedBy: summary?.stoppedBy,
      verdict,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    })}\n`,
  );
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
