/**
 * Fuzz benchmark (issue 17): 10,000 seeded mutations of the examples and test fixtures (TS/JS and
 * Python), the attacks of the issue among the edits; each is parsed, its static rules run and (one
 * in four) two fixes planned. Counts internal errors, lost files (the reader threw or gave up with
 * an internal error), inputs over 2 s CPU, and the CPU time distribution; peak RSS of the process.
 * Run: node scripts/build.mjs --bench && node dist-bench/fuzz.bench.js [count] [seed] [from] [to]
 * (`from`/`to`: run only inputs from..to-1 of the same sequence, so halves can run in parallel).
 * Results are recorded in bench/README.md.
 */
import { join } from 'node:path';
import { mutate, random, runOne, seeds } from '../test/support/fuzz';

const count = Number(process.argv[2] ?? 10_000);
const seed = Number(process.argv[3] ?? 20261130);
const from = Number(process.argv[4] ?? 0);
const to = Number(process.argv[5] ?? count);
const all = seeds(join(__dirname, '..'));
const rand = random(seed);
const times: number[] = [];
let internal = 0;
let threw = 0;
let over2s = 0;
let withModels = 0;
let peakRss = 0;
const failures: string[] = [];
const started = performance.now();
for (let i = 0; i < count; i++) {
  const file = all[Math.floor(rand() * all.length)]!;
  const text = mutate(file, rand);
  // Every input is generated (the sequence stays the same); only from..to-1 are run.
  if (i < from || i >= to) continue;
  const outcome = runOne(text, file.name, i % 4 === 0);
  times.push(outcome.cpuMs);
  if (outcome.internal.length) {
    internal++;
    if (failures.length < 5) failures.push(`#${i} ${file.name}: ${outcome.internal[0]}`);
  }
  if (outcome.threw) {
    threw++;
    if (failures.length < 5) failures.push(`#${i} ${file.name} threw ${outcome.threw}`);
  }
  if (outcome.cpuMs > 2000) {
    over2s++;
    if (failures.length < 5) failures.push(`#${i} ${file.name}: ${outcome.cpuMs.toFixed(0)} ms CPU`);
  }
  if (outcome.models) withModels++;
  if (i % 100 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  if (i % 1000 === 999) process.stderr.write(`${i + 1}/${count}\n`);
}
peakRss = Math.max(peakRss, process.memoryUsage().rss);
times.sort((a, b) => a - b);
const q = (p: number): string => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1);
console.log(`fuzz: inputs ${from}-${to - 1} of ${count} from ${all.length} seed files, seed ${seed}, node ${process.version}`);
console.log(`internal errors: ${internal}; lost files (threw): ${threw}; over 2 s CPU: ${over2s}; kept a model: ${withModels}`);
console.log(`CPU ms per input: median ${q(0.5)}, p99 ${q(0.99)}, max ${times[times.length - 1]!.toFixed(0)}; peak RSS ${(peakRss / 1e6).toFixed(0)} MB; wall ${((performance.now() - started) / 1000).toFixed(0)} s`);
for (const failure of failures) console.log(`  ${failure}`);
