import { readFileSync } from 'node:fs';

/** Reads a file from disk for the parser's cross-file constants; undefined when unreadable. */
export function readFileFromDisk(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
