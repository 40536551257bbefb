/**
 * The `gradient-lens:` annotation's body and the `--set` pairs, as text, for both front ends:
 * `a=1, xTrain.shape[1]=13, shape=[28, 28, 1]` -> one (name, expression text) per entry.
 * Each front end parses and evaluates the expression text in its own language; the comment
 * prefix (`//`, `#`) stays with the front end too.
 */

import { HOLE_NAME } from './holeNames';

/** One `name=expression` entry of an annotation body, both as source text. */
export interface FillText {
  readonly name: string;
  readonly expression: string;
}

/**
 * `a=1, shape=[28, 28, 1], kind='cnn'` -> entries; commas inside brackets and quotes are kept
 * (an entry ends where the next `name=` starts). `namePattern` is a regex source for a name
 * (default HOLE_NAME); `==` is never taken for an assignment.
 */
export function splitFills(body: string, namePattern: string = HOLE_NAME): FillText[] {
  const starts = [...body.matchAll(new RegExp(`(${namePattern})\\s*=(?!=)`, 'g'))];
  return starts.map((match, i) => {
    const end = i + 1 < starts.length ? starts[i + 1]!.index : body.length;
    return { name: match[1]!, expression: body.slice(match.index + match[0].length, end).trim().replace(/,\s*$/, '') };
  });
}

/** Values given from outside (`--set`, remembered values) as an annotation body: `a=1, b=[2, 3]`. */
export function presetText(values: Readonly<Record<string, string>>): string {
  return Object.entries(values).map(([k, v]) => `${k}=${v}`).join(', ');
}
