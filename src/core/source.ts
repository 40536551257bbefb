/** One entry for every front end: parses a file with the parser of its language. */
import type { ParseResult } from './ir';
import { isPythonFile } from './languages';
import { parseModels, type ParseOptions } from './parse/index';
import { parsePythonModels } from './python/index';

export type { ParseOptions };

/** TS/JS files go to the tfjs parser, `.py` files to the Keras parser; both give the same IR. */
export function parseSource(text: string, fileName: string, options: ParseOptions = {}): ParseResult {
  if (isPythonFile(fileName)) {
    return parsePythonModels(text, fileName, {
      ...(options.set ? { set: options.set } : {}),
      ...(options.setFor ? { setFor: options.setFor } : {}),
      ...(options.readFile ? { readFile: options.readFile } : {}),
    });
  }
  return parseModels(text, fileName, options);
}
