/**
 * The grammar of a hole's name, for both front ends: a name followed by access steps
 * (`xTrain.shape[1]`, `cfg["arch"]`, `settings.units()`). Each front end picks its identifier
 * (JS allows `$`) and which steps it can fill; the pieces and the CLI's `--set` name live here.
 * A leaf: imports nothing.
 */

/** A regex source: `identifier` followed by any number of `steps` (each a regex source). */
export function chainPattern(identifier: string, steps: readonly string[]): string {
  return `${identifier}(?:${steps.join('|')})*`;
}

/** Access steps, as regex sources. */
export const STEP = {
  member: (identifier: string): string => String.raw`\.${identifier}`,
  /** `[1]` */
  index: String.raw`\[\d+\]`,
  /** `[1]`, `[-1]` */
  signedIndex: String.raw`\[-?\d+\]`,
  /** `["arch"]`, `['arch']` */
  stringKey: String.raw`\["[^"\\\n]*"\]|\['[^'\\\n]*'\]`,
} as const;

/** A JS/TS identifier (ASCII). */
export const JS_IDENTIFIER = String.raw`[A-Za-z_$][\w$]*`;

/**
 * What a hole's name looks like: a name, an access chain (`xTrain.shape[1]`, `cfg["arch"]`), or
 * a call with at most one constant argument (`settings.units()`, `shape.slice(1)`), which may
 * itself hold one call (`len(train_dataset.keys())`, a name the Python front end gives). One source
 * for the CLI's `--set`, annotations and the TS/JS front end (Python's: python/syntax.ts).
 */
export const HOLE_NAME = chainPattern(JS_IDENTIFIER, [STEP.member(JS_IDENTIFIER), STEP.signedIndex, STEP.stringKey, String.raw`\((?:[^()=,\s]|\([^()=,\s]*\))*\)`]);

/** A regex that matches exactly one whole chain of `chainPattern`. */
export function wholeChain(chain: string): RegExp {
  return new RegExp(`^(?:${chain})$`);
}

/** `text` without whitespace when all of it is a chain (`whole`: from wholeChain), else undefined. */
export function compactChain(text: string, whole: RegExp): string | undefined {
  const compact = text.replace(/\s+/g, '');
  return whole.test(compact) ? compact : undefined;
}
