/**
 * Loading a large CommonJS file (the TypeScript compiler, 9 MB) through V8's code cache, so a
 * process after the first skips compiling it: at the CLI's start a TS file paid ~170-280 ms to
 * compile `dist/typescript.js` before its 20 lines were read (bench/README.md, "CLI start").
 * Node 20 has no `module.enableCompileCache`, so this is `vm.Script` with `cachedData`, as
 * `v8-compile-cache` does it.
 *
 * Correctness before speed: V8 checks a cache only against the source's *length* (and its own
 * version and flags), so a changed file of the same length would run the old bytecode. The cache
 * is therefore keyed by the file's size, mtime and ctime (ctime changes on every write and cannot
 * be set back by tools), the V8 version and the architecture; a cache of another key, a truncated
 * or foreign file, one V8 rejects, or any error reading or writing it means compiling as without
 * a cache (never a crash). Caches are written atomically (temporary file + rename) in a per-user
 * directory created owner-only, never in a shared one: cached bytecode is code.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** What happened to the cache when a file was loaded. */
export type CodeCacheStatus =
  /** Compiled from the cache. */
  | 'hit'
  /** No usable cache (none, another key, truncated, unreadable): compiled; `flush` writes one. */
  | 'miss'
  /** A cache of the right key that V8 refused (another V8 build or flags, corrupt): compiled; `flush` replaces it. */
  | 'rejected'
  /** No cache directory (turned off): compiled as `require` would. */
  | 'off';

export interface CachedModule {
  readonly exports: unknown;
  readonly status: CodeCacheStatus;
  /** The cache file used or to be written; undefined when off. */
  readonly cacheFile?: string;
  /**
   * Writes the cache when there was none usable (after the caller has used the module, so the
   * functions V8 compiled lazily meanwhile are in it too). At most once; never throws.
   * Returns true when a cache file was written.
   */
  flush(): boolean;
}

/**
 * The per-user cache directory of Gradient Lens: `GRADIENT_LENS_CACHE_DIR` when set (`off` or
 * empty turns caching off: undefined), else the platform's user cache folder
 * (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on
 * Windows) + `gradient-lens`.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const set = env.GRADIENT_LENS_CACHE_DIR;
  if (set !== undefined) return set === '' || set === 'off' ? undefined : set;
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'gradient-lens', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'gradient-lens');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'gradient-lens');
}

/** The first line of a cache file: what it was made from, and how many bytes follow. */
interface Header {
  readonly key: string;
  readonly length: number;
}
const MAX_HEADER = 1024;

/**
 * Loads the CommonJS file `file` like `require(file)` would (own `module`, `exports`, a `require`
 * relative to it, `__filename`, `__dirname`), compiling it from a V8 code cache in `cacheDir`
 * when one of the same key is there. `cacheDir` undefined: no cache (status `off`).
 * Throws only what loading the file without a cache would throw (missing file, its own errors).
 */
export function requireWithCodeCache(file: string, cacheDir: string | undefined): CachedModule {
  const source = readFileSync(file, 'utf8');
  const key = cacheDir === undefined ? undefined : cacheKey(file);
  const cacheFile = cacheDir === undefined || key === undefined ? undefined : join(cacheDir, `${basename(file)}-${createHash('sha1').update(`${file}\0${process.versions.v8}\0${process.arch}`).digest('hex').slice(0, 16)}.v8cache`);
  const cachedData = cacheFile !== undefined && key !== undefined ? readCache(cacheFile, key) : undefined;
  // The wrapper Node's own CommonJS loader puts around a module's text.
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  let script: Script;
  try {
    script = new Script(wrapper, { filename: file, ...(cachedData ? { cachedData } : {}) });
  } catch (error) {
    // A syntax error is the file's own; report it as `require` would, with no cache involved.
    if (!cachedData) throw error;
    script = new Script(wrapper, { filename: file });
  }
  const status: CodeCacheStatus = cacheFile === undefined ? 'off' : !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  const module = { exports: {} as unknown, id: file, filename: file, loaded: false };
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  module.loaded = true;
  let flushed = false;
  return {
    exports: module.exports,
    status,
    ...(cacheFile !== undefined ? { cacheFile } : {}),
    flush(): boolean {
      if (flushed || status === 'hit' || status === 'off' || cacheFile === undefined || key === undefined) return false;
      flushed = true;
      try {
        return writeCache(cacheFile, key, script.createCachedData());
      } catch {
        return false;
      }
    },
  };
}

/** size, mtime and ctime of `file` (any write changes ctime), V8 version, architecture; undefined if unreadable. */
function cacheKey(file: string): string | undefined {
  try {
    const stat = statSync(file, { bigint: true });
    return `${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${process.versions.v8}:${process.arch}`;
  } catch {
    return undefined;
  }
}

/** The cached data of `cacheFile` if its header has `key` and the length it says; else undefined. */
function readCache(cacheFile: string, key: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const newline = bytes.subarray(0, MAX_HEADER).indexOf(10);
  if (newline < 0) return undefined;
  let header: Partial<Header>;
  try {
    header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Partial<Header>;
  } catch {
    return undefined;
  }
  const data = bytes.subarray(newline + 1);
  if (header.key !== key || header.length !== data.length || data.length === 0) return undefined;
  return data;
}

/** Writes header + data to a temporary file beside `cacheFile`, then renames it (readers never see half a file). */
function writeCache(cacheFile: string, key: string, data: Buffer): boolean {
  if (!data.length) return false;
  const dir = dirname(cacheFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  const header: Header = { key, length: data.length };
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`, 'utf8'), data]), { mode: 0o600 });
    renameSync(temporary, cacheFile);
    return true;
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // nothing was written
    }
    throw error;
  }
}
