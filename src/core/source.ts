/** One entry for every front end: parses a file with the parser of its language. */
import type { ParseResult } from './ir';
import { isPythonFile } from './languages';
import { withTrainingFacts } from './labels';
import { parseModels, type ParseOptions } from './parse/index';
import { parsePythonModels } from './python/index';

export type { ParseOptions };

/** TS/JS files go to the tfjs parser, `.py` files to the Keras parser; both give the same IR. */
export function parseSource(text: string, fileName: string, options: ParseOptions = {}): ParseResult {
  const parsed = isPythonFile(fileName)
    ? parsePythonModels(text, fileName, {
        ...(options.set ? { set: options.set } : {}),
        ...(options.setFor ? { setFor: options.setFor } : {}),
        ...(options.timeMs !== undefined ? { timeMs: options.timeMs } : {}),
      })
    : parseModels(text, fileName, options);
  // Label facts and the loss's logits flag are read from the text around `fit`/`compile`, alike for both languages.
  return withTrainingFacts(text, parsed);
}
