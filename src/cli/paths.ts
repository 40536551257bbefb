/** How the CLI names a file in its output (text, JSON, SARIF). Pure, so tests import it. */
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * `file` relative to `cwd` when it lies under `cwd` (`examples/m.ts`), else its absolute path
 * (`/work/other/m.ts`), never a climb such as `../../work/other/m.ts`, which reads differently
 * from every directory and points nowhere once the report is moved.
 */
export function displayPath(file: string, cwd: string): string {
  const absolute = resolve(cwd, file);
  const rel = relative(cwd, absolute);
  if (rel === '' || rel === '..' || rel.startsWith(`..${'/'}`) || rel.startsWith('..\\') || isAbsolute(rel)) return absolute;
  return rel;
}
