// One build script for every bundle: extension, worker, cli, webview (+ tests and benchmarks).
//   node scripts/build.mjs            production bundles into dist/
//   node scripts/build.mjs --watch    rebuild on change, errors in a problem-matcher format
//   node scripts/build.mjs --tests    unit tests into dist-test/ (one file per test)
//   node scripts/build.mjs --bench    benchmarks into dist-bench/
//   node scripts/build.mjs --integration   the in-host test suite into dist-integration/
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, copyFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const watch = args.has('--watch');
const production = args.has('--production');

/** Reports build results the way VS Code's `$esbuild-watch` problem matcher expects. */
const problemMatcherPlugin = {
  name: 'problem-matcher',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      console.log('[watch] build finished');
    });
  },
};

function walk(dir, match) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, match) : match(path) ? [path] : [];
  });
}

/**
 * The .wasm binaries of the tfjs wasm backend go next to the worker bundle (found with
 * setWasmPaths), with the threaded build's two pthread scripts (src/training/wasmThreads.ts):
 * - tfjs-backend-wasm-threaded-simd.js: the threaded build's emscripten glue, as tfjs ships it;
 * - tfjs-backend-wasm-threaded-simd.worker.js: emscripten's pthread worker script (tfjs ships it
 *   as a string, which it turns into a Blob URL that Node's Worker cannot load), with its
 *   `importScripts` of the glue pointed at the file beside it instead of the Blob tfjs posts.
 */
function copyWasm(outdir) {
  mkdirSync(outdir, { recursive: true });
  for (const [file, bytes] of Object.entries(fusedKernelBinaries)) writeFileSync(join(outdir, file), bytes);
  const pkg = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm');
  const from = join(pkg, 'dist');
  for (const file of readdirSync(from).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(join(from, file), join(outdir, file));
  }
  copyFileSync(join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.js'), join(outdir, 'tfjs-backend-wasm-threaded-simd.js'));
  const { wasmWorkerContents } = createRequire(import.meta.url)(join(pkg, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'));
  // The string holds escaped newlines as real ones (tfjs escapes them the same way before use).
  const loadGlue = 'importScripts=function(){(0,eval)(fs.readFileSync(require("path").join(__dirname,"tfjs-backend-wasm-threaded-simd.js"),"utf8"))};';
  writeFileSync(join(outdir, 'tfjs-backend-wasm-threaded-simd.worker.js'), `${wasmWorkerContents.replace(/\n/g, '\\n')}\n${loadGlue}\n`);
}

/**
 * Our fused kernels (src/training/fusedKernels.wat), assembled with wabt into two binaries beside
 * the tfjs ones: one importing the single-threaded build's memory, one the threaded build's
 * shared memory. wabt's validator refuses shared memories whatever the features (1.0.39), so
 * V8's `WebAssembly.validate` checks both binaries instead.
 */
async function assembleFusedKernels() {
  const wabt = await (await import('wabt')).default();
  const text = readFileSync(join(root, 'src/training/fusedKernels.wat'), 'utf8');
  const binaries = {};
  for (const [file, limits] of [['gradient-lens-kernels.wasm', '1'], ['gradient-lens-kernels-shared.wasm', '1 65536 shared']]) {
    const module = wabt.parseWat('fusedKernels.wat', text.replace('MEMORY_LIMITS', limits), { simd: true, threads: true });
    try {
      const { buffer } = module.toBinary({});
      if (!WebAssembly.validate(buffer)) throw new Error(`${file}: the assembled module does not validate`);
      binaries[file] = buffer;
    } finally {
      module.destroy();
    }
  }
  return binaries;
}
const fusedKernelBinaries = await assembleFusedKernels();

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  plugins: watch ? [problemMatcherPlugin] : [],
};

/**
 * The TypeScript compiler (9 MB) is its own file next to the bundles, required when the first
 * TS/JS file is parsed (src/core/parse/index.ts): the CLI's --help, Python files and the
 * extension's activation no longer parse it with the bundle (bench/README.md, "CLI start").
 */
const typescriptBeside = {
  name: 'typescript-beside',
  setup(build) {
    build.onResolve({ filter: /^typescript$/ }, () => ({ path: './typescript.js', external: true }));
  },
};

function copyTypescript(outdir) {
  mkdirSync(outdir, { recursive: true });
  copyFileSync(join(root, 'node_modules/typescript/lib/typescript.js'), join(outdir, 'typescript.js'));
}

function productEntries() {
  const entries = [
    { in: 'src/extension.ts', out: 'extension', external: ['vscode'] },
    { in: 'src/training/worker.ts', out: 'worker' },
    { in: 'src/cli/main.ts', out: 'cli', banner: '#!/usr/bin/env node' },
  ].filter((e) => existsSync(join(root, e.in)));
  const contexts = entries.map((e) =>
    esbuild.context({
      ...node,
      entryPoints: { [e.out]: join(root, e.in) },
      outdir: join(root, 'dist'),
      external: e.external ?? [],
      banner: e.banner ? { js: e.banner } : undefined,
      plugins: [...node.plugins, typescriptBeside],
    }),
  );
  copyTypescript(join(root, 'dist'));
  const webviewEntry = join(root, 'webview/src/main.ts');
  if (existsSync(webviewEntry)) {
    contexts.push(
      esbuild.context({
        bundle: true,
        platform: 'browser',
        format: 'esm',
        target: 'es2022',
        sourcemap: !production,
        minify: production,
        logLevel: 'warning',
        plugins: node.plugins,
        entryPoints: { webview: webviewEntry },
        outdir: join(root, 'dist'),
        loader: { '.css': 'text' },
      }),
    );
  }
  copyWasm(join(root, 'dist'));
  return contexts;
}

/** Tests and benchmarks: one bundle per file; npm packages stay external (node_modules is there). */
function fileEntries(srcDir, suffix, outdir, extra = []) {
  const files = walk(join(root, srcDir), (p) => p.endsWith(suffix));
  const entryPoints = Object.fromEntries(
    files.map((f) => [relative(join(root, srcDir), f).replace(/\.ts$/, ''), f]),
  );
  const contexts = [
    esbuild.context({ ...node, entryPoints, outdir: join(root, outdir), packages: 'external' }),
  ];
  // The worker is spawned from a file, so tests and benchmarks get their own copy of it, with
  // the wasm files beside it as in dist/.
  if (extra.length) copyWasm(join(root, outdir));
  for (const e of extra.filter((x) => existsSync(join(root, x.in)))) {
    contexts.push(
      esbuild.context({ ...node, entryPoints: { [e.out]: join(root, e.in) }, outdir: join(root, outdir), packages: 'external' }),
    );
  }
  return contexts;
}

const workerEntry = [{ in: 'src/training/worker.ts', out: 'worker' }];
let contexts;
if (args.has('--integration')) {
  // The in-host suite: loaded by the extension host, which provides `vscode`.
  contexts = [
    esbuild.context({
      ...node,
      // index: the entry the payload URL runs (it starts mocha); extension.test: the same tests
      // for @vscode/test-cli (.vscode-test.mjs), which brings its own mocha.
      entryPoints: { index: join(root, 'test/integration/index.ts'), 'extension.test': join(root, 'test/integration/extension.test.ts') },
      outdir: join(root, 'dist-integration'),
      packages: 'external',
      external: ['vscode'],
    }),
  ];
} else if (args.has('--tests')) contexts = fileEntries('test/unit', '.test.ts', 'dist-test', workerEntry);
else if (args.has('--bench')) contexts = fileEntries('bench', '.bench.ts', 'dist-bench', workerEntry);
else contexts = productEntries();

const built = await Promise.all(contexts);
if (watch) {
  await Promise.all(built.map((c) => c.watch()));
} else {
  try {
    await Promise.all(built.map((c) => c.rebuild()));
  } catch {
    process.exitCode = 1;
  } finally {
    await Promise.all(built.map((c) => c.dispose()));
  }
}
