/** The .vsix holds the bundles, the wasm files (with the threaded build's pthread scripts), media and the docs, and nothing else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

test('the packaged file list: bundles, wasm, media, README, CHANGELOG, LICENSE only', () => {
  const root = join(__dirname, '..');
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const result = spawnSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const files = result.stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort();
  assert.deepEqual(files, [
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'dist/extension.js',
    'dist/gradient-lens-kernels-shared.wasm',
    'dist/gradient-lens-kernels.wasm',
    'dist/tfjs-backend-wasm-simd.wasm',
    'dist/tfjs-backend-wasm-threaded-simd.js',
    'dist/tfjs-backend-wasm-threaded-simd.wasm',
    'dist/tfjs-backend-wasm-threaded-simd.worker.js',
    'dist/tfjs-backend-wasm.wasm',
    'dist/typescript.js',
    'dist/webview.js',
    'dist/worker.js',
    'media/icon.png',
    'media/panel.css',
    'package.json',
  ]);
  assert.ok(!files.some((f) => /^(src|test|node_modules|examples)\//.test(f) || f.endsWith('.map')));
});
