/** One entry for every front end: parses a file with the parser of its language. */
import type { ParseResult } from './ir';
import { parseModels, type ParseOptions } from './parse/index';

export type { ParseOptions };

export function parseSource(text: string, fileName: string, options: ParseOptions = {}): ParseResult {
  return parseModels(text, fileName, options);
}
