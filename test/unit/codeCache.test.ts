/**
 * The V8 code cache of the TypeScript bundle (src/core/codeCache.ts): a cache is used only for
 * the file it was made from, a stale, corrupt, truncated or unwritable cache costs a compile,
 * never a crash or old code; and the CLI gives the same report with and without one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { requireWithCodeCache, userCacheDir } from '../../src/core/codeCache';

const root = join(__dirname, '..');

/** A module whose top level and a lazily compiled function both say `value`; same length for any digit. */
const moduleText = (value: number): string => `exports.v = ${value};\nexports.f = function () { return ${value} * 10; };\nexports.dir = __dirname;\nexports.sibling = require('./sibling.js').name;\n`;

function setUp(): { dir: string; file: string; cacheDir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gl-codecache-'));
  writeFileSync(join(dir, 'sibling.js'), "exports.name = 'sibling';\n");
  const file = join(dir, 'big.js');
  writeFileSync(file, moduleText(1));
  return { dir, file, cacheDir: join(dir, 'cache') };
}

/** What a fresh process saw loading `file` with `cacheDir` (each load in its own process: V8 keeps
 * compiled scripts in memory by source text, so a second load in one process never reads the cache). */
interface Load { status: string; v: number; f: number; dir: string; sibling: string; flushed: boolean; again: boolean; cacheFile?: string; error?: string }

function load(file: string, cacheDir: string | undefined): Load {
  const result = spawnSync(process.execPath, [__filename], { encoding: 'utf8', env: { ...process.env, GL_CODECACHE_CHILD: JSON.stringify({ file, cacheDir }) } });
  const line = result.stdout.split('\n').find((l) => l.startsWith('{"status"') || l.startsWith('{"error"'));
  assert.ok(line, `${result.stdout}\n${result.stderr}`);
  return JSON.parse(line) as Load;
}

/** The child's side of `load`: load, use (so lazy functions compile), flush, print. */
function child(spec: string): void {
  const { file, cacheDir } = JSON.parse(spec) as { file: string; cacheDir?: string };
  try {
    const loaded = requireWithCodeCache(file, cacheDir);
    const e = loaded.exports as { v: number; f(): number; dir: string; sibling: string };
    const f = e.f();
    const flushed = loaded.flush();
    console.log(JSON.stringify({ status: loaded.status, v: e.v, f, dir: e.dir, sibling: e.sibling, flushed, again: loaded.flush(), cacheFile: loaded.cacheFile }));
  } catch (error) {
    console.log(JSON.stringify({ error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }));
  }
}

/** A whole second, so a test can set a file's mtime back exactly. */
const T = 1_700_000_000;

if (process.env.GL_CODECACHE_CHILD) child(process.env.GL_CODECACHE_CHILD);
else {
test('a first load compiles and writes the cache after use; the next process compiles from it, with CommonJS semantics', () => {
  const { dir, file, cacheDir } = setUp();
  const first = load(file, cacheDir);
  assert.deepEqual([first.status, first.v, first.f, first.dir, first.sibling, first.flushed, first.again], ['miss', 1, 10, dir, 'sibling', true, false]);
  assert.ok(first.cacheFile && existsSync(first.cacheFile));
  const second = load(file, cacheDir);
  assert.deepEqual([second.status, second.v, second.f, second.sibling, second.flushed], ['hit', 1, 10, 'sibling', false]);
});

test('V8 alone would run old code for an edited file of the same length; the cache key refuses it', () => {
  const { file, cacheDir } = setUp();
  utimesSync(file, T, T);
  const first = load(file, cacheDir);
  assert.equal(first.flushed, true);
  const bytes = readFileSync(first.cacheFile!);
  const oldData = bytes.subarray(bytes.indexOf(10) + 1);
  // The edit keeps size and mtime: only ctime (which any write changes) tells it apart.
  const before = statSync(file, { bigint: true });
  writeFileSync(file, moduleText(2));
  utimesSync(file, T, T);
  const after = statSync(file, { bigint: true });
  assert.deepEqual([after.size, after.mtimeNs], [before.size, before.mtimeNs]);
  // Why the key exists: V8 checks only the length and accepts the old bytecode.
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${moduleText(2)}\n});`;
  const bare = new Script(wrapper, { filename: file, cachedData: oldData });
  assert.equal(bare.cachedDataRejected, false);
  const stale: { v?: number } = {};
  (bare.runInThisContext() as (e: unknown, r: unknown) => void)(stale, () => ({ name: 'sibling' }));
  assert.equal(stale.v, 1, 'V8 ran the old top level');
  const edited = load(file, cacheDir);
  assert.deepEqual([edited.status, edited.v, edited.f, edited.flushed], ['miss', 2, 20, true], 'the stale cache is not used, and replaced');
  assert.equal(load(file, cacheDir).status, 'hit');
});

test('a corrupt cache of the right key is rejected by V8 and replaced; a truncated one is not used', () => {
  const { file, cacheDir } = setUp();
  const first = load(file, cacheDir);
  const bytes = readFileSync(first.cacheFile!);
  const headerEnd = bytes.indexOf(10) + 1;
  // Same header, same length, garbage data.
  writeFileSync(first.cacheFile!, Buffer.concat([bytes.subarray(0, headerEnd), Buffer.alloc(bytes.length - headerEnd, 0x5a)]));
  const rejected = load(file, cacheDir);
  assert.deepEqual([rejected.status, rejected.f, rejected.flushed], ['rejected', 10, true]);
  assert.equal(load(file, cacheDir).status, 'hit');
  // Cut in the middle (our writes rename whole files; a copy by hand may not).
  writeFileSync(first.cacheFile!, bytes.subarray(0, headerEnd + 100));
  const truncated = load(file, cacheDir);
  assert.deepEqual([truncated.status, truncated.f], ['miss', 10]);
  // Not a cache at all.
  writeFileSync(first.cacheFile!, 'hello');
  assert.equal(load(file, cacheDir).status, 'miss');
});

test('an unwritable cache directory costs a compile, never an error', () => {
  const { dir, file } = setUp();
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, 'x');
  const loaded = load(file, join(blocker, 'cache'));
  assert.deepEqual([loaded.status, loaded.f, loaded.flushed], ['miss', 10, false]);
  assert.deepEqual(readdirSync(dir).sort(), ['big.js', 'not-a-dir', 'sibling.js'], 'no temporary file left');
  const off = load(file, undefined);
  assert.deepEqual([off.status, off.v, off.flushed], ['off', 1, false]);
});

test('a file with a syntax error throws as require does; a missing one throws', () => {
  const { dir, cacheDir } = setUp();
  const broken = join(dir, 'broken.js');
  writeFileSync(broken, 'exports.v = ;\n');
  assert.throws(() => requireWithCodeCache(broken, cacheDir), SyntaxError);
  assert.throws(() => requireWithCodeCache(join(dir, 'missing.js'), cacheDir), /ENOENT/);
});

test('the cache folder: GRADIENT_LENS_CACHE_DIR, off, and per platform', () => {
  assert.equal(userCacheDir({ GRADIENT_LENS_CACHE_DIR: '/x/y' }, 'linux'), '/x/y');
  assert.equal(userCacheDir({ GRADIENT_LENS_CACHE_DIR: 'off' }, 'linux'), undefined);
  assert.equal(userCacheDir({ GRADIENT_LENS_CACHE_DIR: '' }, 'linux'), undefined);
  assert.equal(userCacheDir({ XDG_CACHE_HOME: '/c' }, 'linux'), join('/c', 'gradient-lens'));
  assert.match(userCacheDir({}, 'darwin')!, /Library.Caches.gradient-lens$/);
  assert.equal(userCacheDir({ LOCALAPPDATA: 'L' }, 'win32'), join('L', 'gradient-lens', 'Cache'));
});

test('the CLI reads a TS file the same with no cache, a fresh one, a used one and an unwritable folder', () => {
  const cli = join(root, 'dist', 'cli.js');
  const { dir } = setUp();
  const cacheDir = join(dir, 'cli-cache');
  const run = (cache: string) => spawnSync(process.execPath, [cli, 'analyze', 'examples/deep-sigmoid-mlp.ts', '--static', '--json'], { cwd: root, encoding: 'utf8', env: { ...process.env, GRADIENT_LENS_CACHE_DIR: cache }, timeout: 120_000 });
  const off = run('off');
  assert.ok(off.stdout.includes('"models"'), off.stderr);
  const fresh = run(cacheDir);
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.v8cache')).length, 1, 'the first run writes the cache');
  const used = run(cacheDir);
  const blocked = join(dir, 'file');
  writeFileSync(blocked, 'x');
  const unwritable = run(join(blocked, 'cache'));
  for (const other of [fresh, used, unwritable]) {
    assert.equal(other.status, off.status);
    assert.equal(other.stdout, off.stdout);
    assert.equal(other.stderr, off.stderr);
  }
});
}
