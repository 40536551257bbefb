/** One entry for every front end: parses a file with the parser of its language. */
import type { ParseResult } from './ir';
import { isPythonFile } from './languages';
import { parseModels, type ParseOptions } from './parse/index';
import { parsePythonModels } from './python/index';

export type { ParseOptions };

/** TS/JS files go to the tfjs parser, `.py` files to the Keras parser; both give the same IR. */
export function parseSource(text: string, fileName: string, options: ParseOptions = {}): ParseResult {
  if (isPythonFile(fileName)) {
    // The Keras front end takes values file-wide only.
    const set = Object.assign({}, ...Object.values(options.setFor ?? {}), options.set ?? {}) as Record<string, string>;
    return parsePythonModels(text, fileName, Object.keys(set).length ? { set } : {});
  }
  return parseModels(text, fileName, options);
}
