/** One entry for every front end: parses a file with the parser of its language. */
import type { ParseResult } from './ir';
import { isPythonFile } from './languages';
import { withTrainingFacts } from './labels';
import { modelLimitMessage, PARSE_LIMITS } from './limits';
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
        ...(options.readFile ? { readFile: options.readFile } : {}),
      })
    : parseModels(text, fileName, options);
  // Label facts and the loss's logits flag are read from the text around `fit`/`compile`, alike for both languages.
  return withTrainingFacts(text, atMostModels(parsed));
}

/**
 * The first `maxModelsPerFile` models (a loop that builds a model per iteration, a builder
 * called with many arguments), with a problem at the first one left out. Each model is a
 * training run and a panel entry, so this bounds what one file costs after parsing.
 */
function atMostModels(parsed: ParseResult): ParseResult {
  const max = PARSE_LIMITS.maxModelsPerFile;
  const first = parsed.models[max];
  if (!first) return parsed;
  return {
    ...parsed,
    models: parsed.models.slice(0, max),
    problems: [...parsed.problems, { message: modelLimitMessage(parsed.models.length), range: first.range, severity: 'warning' }],
  };
}
