/**
 * CLI start: wall time of `--help` and of `analyze --static` on a small TS and a small Python
 * file, for the CLI of a git commit ("before", built as the product is: dist/typescript.js beside
 * the bundle) and of this tree's dist/ ("after"), interleaved, with plain `node -e 0` as the
 * baseline. The TS file runs three ways after: with the V8 code cache of the TypeScript bundle
 * turned off, with an empty cache folder (the run that writes it) and with a written one.
 * Medians of N rounds; load average printed.
 * Run: node scripts/build.mjs && node scripts/build.mjs --bench && node dist-bench/cliStart.bench.js [--rounds N] [--before COMMIT]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = join(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : undefined);
const commit = option('before') ?? 'f2ac0db';
const rounds = Number(option('rounds') ?? 7);

async function beforeCli(): Promise<string> {
  const tree = join(root, 'dist-bench', `tree-${commit}`);
  if (!existsSync(join(tree, 'src'))) {
    mkdirSync(tree, { recursive: true });
    execFileSync('tar', ['-x', '-C', tree], { input: execFileSync('git', ['-C', root, 'archive', commit, 'src'], { maxBuffer: 1 << 28 }) });
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
  }
  const out = join(root, 'dist-bench', `cli-${commit}`, 'cli.js');
  // As scripts/build.mjs builds it: the compiler is its own file beside the bundle.
  await build({
    entryPoints: [join(tree, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, nodePaths: [join(root, 'node_modules')], logLevel: 'error',
    plugins: [{ name: 'typescript-beside', setup: (build) => build.onResolve({ filter: /^typescript$/ }, () => ({ path: './typescript.js', external: true })) }],
  });
  copyFileSync(join(root, 'node_modules/typescript/lib/typescript.js'), join(dirname(out), 'typescript.js'));
  return out;
}

const timeOf = (argv: string[], cacheDir = 'off'): number => {
  const started = performance.now();
  const result = spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, GRADIENT_LENS_CACHE_DIR: cacheDir } });
  const ms = performance.now() - started;
  if (result.status !== 0 && result.status !== 1) throw new Error(`${argv.join(' ')}: exit ${result.status}\n${result.stderr}`);
  return ms;
};
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main(): Promise<void> {
  const clis = { before: await beforeCli(), after: join(root, 'dist/cli.js') };
  const ts = ['analyze', 'examples/deep-sigmoid-mlp.ts', '--static'];
  const commands: Record<string, string[]> = { '--help': ['--help'], 'analyze --static (Python, 20 lines)': ['analyze', 'examples/deep_sigmoid_mlp.py', '--static'], 'analyze --static (TS, 20 lines)': ts };
  const warm = mkdtempSync(join(tmpdir(), 'gl-cli-start-'));
  timeOf([clis.after, ...ts], warm); // writes the cache the "written cache" runs read
  const times = new Map<string, number[]>();
  const add = (key: string, ms: number) => times.set(key, [...(times.get(key) ?? []), ms]);
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loads.push(loadavg()[0]!);
    add('node', timeOf(['-e', '0']));
    for (const [label, argv] of Object.entries(commands)) {
      const order = round % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const);
      for (const version of order) add(`${label}|${version}`, timeOf([clis[version], ...argv], version === 'after' && argv === ts ? warm : 'off'));
    }
    const empty = mkdtempSync(join(tmpdir(), 'gl-cli-start-'));
    add('ts|empty', timeOf([clis.after, ...ts], empty));
    rmSync(empty, { recursive: true, force: true });
    add('ts|off', timeOf([clis.after, ...ts], 'off'));
  }
  rmSync(warm, { recursive: true, force: true });
  const node = median(times.get('node')!);
  const lines = [
    `CLI start, ${rounds} interleaved rounds, before = ${commit}, after = this tree (dist/cli.js ${(statSync(clis.after).size / 1e6).toFixed(1)} MB, dist/typescript.js ${(statSync(join(root, 'dist/typescript.js')).size / 1e6).toFixed(1)} MB); load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}; \`node -e 0\` median ${node.toFixed(0)} ms.`,
    '',
    '| command | before ms | after ms | before - node | after - node | ratio of the differences |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const row = (label: string, before: number, after: number) =>
    lines.push(`| ${label} | ${before.toFixed(0)} | ${after.toFixed(0)} | ${(before - node).toFixed(0)} | ${(after - node).toFixed(0)} | ${((after - node) / (before - node)).toFixed(2)}x |`);
  for (const label of Object.keys(commands)) {
    row(commands[label] === ts ? `${label}, code cache written` : label, median(times.get(`${label}|before`)!), median(times.get(`${label}|after`)!));
  }
  const tsBefore = median(times.get('analyze --static (TS, 20 lines)|before')!);
  row('analyze --static (TS, 20 lines), empty cache folder (the run that writes it)', tsBefore, median(times.get('ts|empty')!));
  row('analyze --static (TS, 20 lines), code cache off', tsBefore, median(times.get('ts|off')!));
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
