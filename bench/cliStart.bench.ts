/**
 * CLI start: wall time of `--help` and of `analyze --static` on a small TS and a small Python
 * file, for the CLI of a git commit ("before") and of this tree's dist/ ("after"), interleaved,
 * with plain `node -e 0` as the baseline. Medians of N rounds; load average printed.
 * Run: node scripts/build.mjs && node scripts/build.mjs --bench && node dist-bench/cliStart.bench.js [--rounds N] [--before COMMIT]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const commit = option('before') ?? 'c9f6baf';
const rounds = Number(option('rounds') ?? 7);

function beforeCli(): string {
  const tree = join(root, 'dist-bench', `tree-${commit}`);
  if (!existsSync(join(tree, 'src'))) {
    mkdirSync(tree, { recursive: true });
    execFileSync('tar', ['-x', '-C', tree], { input: execFileSync('git', ['-C', root, 'archive', commit, 'src'], { maxBuffer: 1 << 28 }) });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  }
  const out = join(root, 'dist-bench', `cli-${commit}`, 'cli.js');
  buildSync({ entryPoints: [join(tree, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, nodePaths: [join(root, 'node_modules')], logLevel: 'error' });
  return out;
}

const timeOf = (argv: string[]): number => {
  const started = performance.now();
  spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8' });
  return performance.now() - started;
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function main(): void {
  const clis = { before: beforeCli(), after: join(root, 'dist/cli.js') };
  const commands: Record<string, string[]> = { '--help': ['--help'], 'analyze --static (Python, 20 lines)': ['analyze', 'examples/deep_sigmoid_mlp.py', '--static'], 'analyze --static (TS, 20 lines)': ['analyze', 'examples/deep-sigmoid-mlp.ts', '--static'] };
  const times = new Map<string, number[]>();
  const add = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    add('node', timeOf(['-e', '0']));
    for (const [label, argv] of Object.entries(commands)) {
      const order = round % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const);
      for (const version of order) add(`${label}|${version}`, timeOf([clis[version], ...argv]));
    }
  }
  const node = median(times.get('node')!);
  const lines = [
    `CLI start, ${rounds} interleaved rounds, before = ${commit} (bundle ${(statSync(clis.before).size / 1e6).toFixed(1)} MB), after = dist/cli.js (${(statSync(clis.after).size / 1e6).toFixed(1)} MB); load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; \`node -e 0\` median ${node.toFixed(0)} ms.`,
    '',
    '| command | before ms | after ms | before - node | after - node | ratio of the differences |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const label of Object.keys(commands)) {
    const before = median(times.get(`${label}|before`)!);
    const after = median(times.get(`${label}|after`)!);
    lines.push(`| ${label} | ${before.toFixed(0)} | ${after.toFixed(0)} | ${(before - node).toFixed(0)} | ${(after - node).toFixed(0)} | ${((after - node) / (before - node)).toFixed(2)}x |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
