/**
 * Measuring a model whose only unknowns decide no layer and no shape (a learning rate, an
 * optimizer parameter, the optimizer or loss of `compile`): the file is read again with those
 * holes filled by their documented defaults (`holes.ts`), and the result says which were used.
 * Front-end neutral: works on any file `parseSource` reads.
 */
import { defaultFills } from './holes';
import type { DefaultUsed, ModelGraph } from './ir';
import { parseSource, type ParseOptions } from './source';

/** Rounds of re-reading: a default may reveal another unknown behind it (rare; bounded). */
const MAX_ROUNDS = 3;

export interface MeasurableModel {
  /** The graph to measure: `model` itself, or its re-read with defaults filled. */
  readonly graph: ModelGraph;
  /** The values used for unknowns, with why (empty when the code said everything). */
  readonly defaultsUsed: readonly DefaultUsed[];
  /** The fills given to the parser (name -> source text), for re-reading patched copies. */
  readonly fills: Readonly<Record<string, string>>;
  /** The options that read `graph` (the caller's, plus the fills). */
  readonly options: ParseOptions;
}

/**
 * The graph a measurement of `model` uses, or undefined when a hole still blocks (changes the
 * layers or a shape; the model is then unresolved). Fills go to the model's builder function
 * only (`setFor`) when it has one, else file-wide; the caller's values win over defaults.
 */
export function measurableModel(text: string, fileName: string, options: ParseOptions, model: ModelGraph): MeasurableModel | undefined {
  let graph = model;
  const fills: Record<string, string> = {};
  const used: DefaultUsed[] = [...(model.defaultsUsed ?? [])];
  let current = options;
  for (let round = 0; graph.holes?.length; round++) {
    const defaults = round < MAX_ROUNDS ? defaultFills(graph) : undefined;
    if (!defaults) return undefined;
    Object.assign(fills, defaults.fills);
    used.push(...defaults.used.filter((u) => !used.some((seen) => seen.name === u.name)));
    current = model.builder
      ? { ...options, setFor: { ...options.setFor, [model.builder]: { ...fills, ...options.setFor?.[model.builder] } } }
      : { ...options, set: { ...fills, ...options.set } };
    const again = parseSource(text, fileName, current).models.find((m) => m.name === model.name);
    if (!again) return undefined;
    graph = again;
  }
  return { graph, defaultsUsed: used, fills, options: current };
}
