/**
 * The files an `analyze` argument names: a file as given, a directory's TS/JS and Python sources
 * (recursively), or a glob the shell did not expand (`'src/**\/*.py'` quoted, or Windows' cmd,
 * which never expands). Pure but for reading directories, so tests import it.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Source files a directory or glob contributes: what the parser reads (README "Command line"). */
const SOURCE = /\.(ts|tsx|js|jsx|mjs|cjs|py)$/;

/** Folders never searched: dependencies, builds and tool caches, not the user's model code. */
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'dist', 'build', 'site-packages']);

/**
 * Most files one argument may expand to: a directory such as `~` given by mistake is refused
 * with a message instead of reading for minutes.
 */
export const MAX_EXPANDED_FILES = 2000;

export interface Expanded {
  /** Files to read, in argument order; each argument's own files sorted by path. */
  readonly files: string[];
  /** Usage errors (exit 2), one per argument that names nothing to read. */
  readonly errors: string[];
}

/** True when `arg` has glob syntax (`*`, `?`, `[...]`). */
export function isGlob(arg: string): boolean {
  return /[*?[]/.test(arg);
}

/** A glob segment (`*.py`, `model?.ts`, `[ab].js`) as a regular expression over one path segment. */
function segmentRegex(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '[^/\\\\]*';
    else if (c === '?') out += '[^/\\\\]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 1);
      if (close < 0) out += '\\[';
      else {
        const body = segment.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        out += `[${body}]`;
        i = close;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function entries(dir: string): { name: string; dir: boolean; file: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => {
      // A symbolic link counts as what it points to (stat), a broken one as nothing.
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const s = statSync(join(dir, e.name));
          isDir = s.isDirectory();
          isFile = s.isFile();
        } catch {
          isDir = isFile = false;
        }
      }
      return { name: e.name, dir: isDir, file: isFile };
    });
  } catch {
    return [];
  }
}

/** The TS/JS/Python sources under `dir`, skipping dot folders, dependencies and builds; at most `limit` + 1. */
function sourcesUnder(dir: string, limit: number): string[] {
  const out: string[] = [];
  const walk = (at: string): void => {
    for (const entry of entries(at).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (out.length > limit) return;
      const path = join(at, entry.name);
      if (entry.dir) {
        if (!entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) walk(path);
      } else if (entry.file && SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(dir);
  return out;
}

/**
 * Paths matching `pattern` (segments joined by `/`; `**` is any number of folders; a segment
 * starting with `.` is matched only by a pattern segment that does too, as in a shell).
 */
function globMatches(pattern: string, cwd: string, limit: number): string[] {
  const normalized = pattern.split(sep).join('/');
  const absolute = normalized.startsWith('/') || /^[A-Za-z]:\//.test(normalized);
  const parts = normalized.split('/').filter((p, i) => p !== '' || i === 0);
  let base = absolute ? (parts[0] === '' ? '/' : `${parts[0]}/`) : cwd;
  let i = absolute ? 1 : 0;
  // The literal folders before the first glob segment are the start of the walk.
  while (i < parts.length - 1 && !isGlob(parts[i]!) && parts[i] !== '**') base = join(base, parts[i++]!);
  const rest = parts.slice(i);
  const out = new Set<string>();
  const visit = (dir: string, at: number): void => {
    if (out.size > limit) return;
    const segment = rest[at]!;
    const last = at === rest.length - 1;
    if (segment === '**') {
      // Zero folders, then each folder below (dot folders and dependencies skipped).
      if (last) {
        for (const file of sourcesUnder(dir, limit)) out.add(file);
        return;
      }
      visit(dir, at + 1);
      for (const entry of entries(dir)) {
        if (entry.dir && !entry.name.startsWith('.') && !SKIPPED_DIRS.has(entry.name)) visit(join(dir, entry.name), at);
      }
      return;
    }
    if (!isGlob(segment)) {
      const path = join(dir, segment);
      if (last) {
        if (entries(dir).some((e) => e.name === segment && e.file)) out.add(path);
      } else visit(path, at + 1);
      return;
    }
    const regex = segmentRegex(segment);
    for (const entry of entries(dir)) {
      if (entry.name.startsWith('.') && !segment.startsWith('.')) continue;
      if (!regex.test(entry.name)) continue;
      if (last && entry.file) out.add(join(dir, entry.name));
      else if (!last && entry.dir) visit(join(dir, entry.name), at + 1);
    }
  };
  if (rest.length) visit(base, 0);
  return [...out].sort();
}

/** How a path found for `arg` is shown: relative under `cwd` as the user typed it, absolute for an absolute `arg`. */
function shown(path: string, cwd: string, arg: string): string {
  if (isAbsolute(arg)) return path;
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/**
 * Expands each `analyze` argument: an existing file is kept as given (whatever its extension:
 * the user named it); a directory gives its TS/JS/Python sources, recursively, skipping dot
 * folders, `node_modules`, `__pycache__`, `dist`, `build` and `.d.ts` files; a path that does
 * not exist but has glob syntax is matched as a glob (files only). An argument that names
 * nothing to read (a directory without sources, a glob that matches nothing, more than
 * `MAX_EXPANDED_FILES` files) is an error; a missing plain path is kept, so reading it says why.
 */
export function expandFileArgs(args: readonly string[], cwd: string): Expanded {
  const files: string[] = [];
  const errors: string[] = [];
  for (const arg of args) {
    let stat;
    try {
      stat = statSync(resolve(cwd, arg));
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      const found = sourcesUnder(resolve(cwd, arg), MAX_EXPANDED_FILES);
      if (found.length > MAX_EXPANDED_FILES) errors.push(`${arg} holds more than ${MAX_EXPANDED_FILES} TS/JS/Python files; name a smaller folder or a glob`);
      else if (!found.length) errors.push(`${arg} is a directory with no TS/JS or Python file (.ts .tsx .js .jsx .mjs .cjs .py)`);
      else files.push(...found.map((f) => shown(f, cwd, arg)));
    } else if (!stat && isGlob(arg)) {
      const found = globMatches(arg, cwd, MAX_EXPANDED_FILES);
      if (found.length > MAX_EXPANDED_FILES) errors.push(`${arg} matches more than ${MAX_EXPANDED_FILES} files; name a smaller folder or a narrower glob`);
      else if (!found.length) errors.push(`no file matches ${arg}`);
      else files.push(...found.map((f) => shown(f, cwd, arg)));
    } else files.push(arg);
  }
  return { files: [...new Set(files)], errors };
}

/** A file-system error code in words (`ENOENT` -> "no such file"), for "cannot read X: ...". */
export function readErrorText(code: string | undefined, fallback: string): string {
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ELOOP':
      return 'too many symbolic links';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return code ?? fallback;
  }
}
