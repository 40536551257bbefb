/**
 * Reading files from disk for the parser (imported constants, call sites) and for data files,
 * inside a boundary: only regular files, only under the given roots (compared by real path, so a
 * symlink cannot lead out), and only up to a size. Devices (`/dev/zero` grows forever,
 * `/dev/stdin` blocks), sockets, FIFOs and links out are refused with a reason.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync, constants } from 'node:fs';
import { sep } from 'node:path';
import { PARSE_LIMITS } from './limits';
import { DataFileError, MAX_DATA_BYTES, sizeError } from './dataFile';
import { RefusedFile } from './parse/modules';

export { RefusedFile };

/** True when `path` (a real path) is `root` or inside it; `root` must be a real path too. */
export function isInside(path: string, root: string): boolean {
  const base = root.endsWith(sep) ? root : root + sep;
  return path === root || path.startsWith(base);
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export interface BoundedReadOptions {
  /** Directories the file must be inside (after resolving links); none: anywhere. */
  readonly roots?: readonly string[];
  /** Largest size read, in bytes. */
  readonly maxBytes?: number;
  /** Read the first `maxBytes` of a longer file instead of refusing it (a saved model's config is near its start). */
  readonly prefix?: boolean;
}

/** What a reader is asked besides the path. */
export interface ReadRequest {
  /** The first bytes of a file over the size limit are enough (a saved model's header). */
  readonly prefix?: boolean;
}

/**
 * Reads `path` as UTF-8 when it is a regular file inside the roots and not too big: undefined
 * when it does not exist (the caller tries other extensions), a `RefusedFile` saying why not
 * otherwise. Never blocks on a device or FIFO: the type is checked before the file is opened
 * and again on the opened descriptor, which is opened non-blocking.
 */
export function readBoundedFile(path: string, options: BoundedReadOptions = {}): string | undefined | RefusedFile {
  const maxBytes = options.maxBytes ?? PARSE_LIMITS.maxImportBytes;
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  const real = realOrUndefined(path);
  if (!real) return undefined;
  if (stat.isDirectory()) return undefined;
  if (!stat.isFile()) return new RefusedFile(`'${path}' is not a regular file (a device, socket or pipe); it is not read`);
  if (options.roots) {
    const roots = options.roots.map((root) => realOrUndefined(root)).filter((root): root is string => !!root);
    if (!roots.some((root) => isInside(real, root))) {
      return new RefusedFile(`'${path}' is outside the workspace${real !== path ? ` (it leads to ${real})` : ''}; it is not read`);
    }
  }
  if (stat.size > maxBytes && !options.prefix) return new RefusedFile(`'${path}' is ${(stat.size / 1e6).toFixed(1)} MB, over the ${(maxBytes / 1e6).toFixed(1)} MB Gradient Lens reads for an import; it is not read`);
  let fd: number | undefined;
  try {
    fd = openSync(real, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const opened = fstatSync(fd);
    if (!opened.isFile()) return new RefusedFile(`'${path}' is not a regular file; it is not read`);
    const size = Math.min(opened.size, options.prefix ? maxBytes : maxBytes + 1);
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    if (read > maxBytes) return new RefusedFile(`'${path}' is over the ${(maxBytes / 1e6).toFixed(1)} MB Gradient Lens reads for an import; it is not read`);
    return buffer.subarray(0, read).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A parser `ReadFile` bounded to `roots` (the workspace folders; the CLI: the directories given). */
export function boundedReader(roots: readonly string[] | undefined, maxBytes?: number): (path: string, request?: ReadRequest) => string | undefined | RefusedFile {
  return (path, request) => readBoundedFile(path, { ...(roots ? { roots } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}), ...(request?.prefix ? { prefix: true } : {}) });
}

/** Reads a file for the parser's cross-file constants: regular files up to the size limit; undefined when unreadable. */
export function readFileFromDisk(path: string): string | undefined {
  const text = readBoundedFile(path);
  return typeof text === 'string' ? text : undefined;
}

/**
 * Reads a data file (CSV/JSON): a regular file inside `roots` when given, refused over
 * `MAX_DATA_BYTES` before it is read. Throws `DataFileError` with the reason.
 */
export function readDataFile(path: string, roots?: readonly string[]): string {
  const text = readBoundedFile(path, { ...(roots ? { roots } : {}), maxBytes: MAX_DATA_BYTES });
  if (text === undefined) throw new DataFileError(`'${path}' does not exist or cannot be read.`);
  if (text instanceof RefusedFile) {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      // the reason below is enough
    }
    if (size > MAX_DATA_BYTES) throw sizeError(size);
    throw new DataFileError(text.reason.replace(/for an import/, 'for a data file'));
  }
  return text;
}
