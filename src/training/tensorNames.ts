/**
 * Layer names tfjs refuses. Keras accepts any string as a layer name (`name='schicht_ä'`,
 * `name='my layer'`), but tfjs-layers names layers and their tensors only with
 * `^[A-Za-z0-9][-A-Za-z0-9._/]*$` (tfjs-layers src/common.ts, `isValidTensorName`): building such
 * a layer throws "Not a valid tensor name". The name changes no gradient, so the worker builds
 * the model under a valid alias and gives the user's names back in everything it reports.
 */
import type { ModelGraph } from '../core/ir';

/** tfjs-layers' rule for layer and tensor names (`tensorNameRegex` in tfjs-layers' common.ts). */
const TFJS_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

export function isTfjsName(name: string): boolean {
  return TFJS_NAME.test(name);
}

export interface TfjsNamedGraph {
  /** `graph` with every layer id tfjs would refuse replaced by an alias (the same object when none is). */
  readonly graph: ModelGraph;
  /** Puts the user's names back into a value sent from the worker: keys and strings, aliases replaced. */
  restore<T>(value: T): T;
}

/**
 * Aliases the layer ids of `graph` that tfjs refuses: `gl<index>x_<id with the refused characters
 * as _>`. An alias appears in the graph wherever the id does as a whole string (the layer's id,
 * `inbound`, the model's inputs and outputs, a per-output loss object's keys); `restore` replaces
 * it inside strings too, since tfjs derives names from it (`<alias>_input`) and error messages
 * quote it. No alias is a substring of another (the index ends at `x`).
 */
export function tfjsNamedGraph(graph: ModelGraph): TfjsNamedGraph {
  const taken = new Set(graph.layers.map((l) => l.id));
  const aliases = new Map<string, string>();
  graph.layers.forEach((layer, index) => {
    if (isTfjsName(layer.id) || aliases.has(layer.id)) return;
    let alias = `gl${index}x_${layer.id.replace(/[^-A-Za-z0-9._/]/g, '_')}`;
    while (taken.has(alias)) alias += '_';
    taken.add(alias);
    aliases.set(layer.id, alias);
  });
  if (!aliases.size) return { graph, restore: (value) => value };
  const back = [...aliases].map(([name, alias]) => [alias, name] as const);
  const rename = (value: unknown): unknown => {
    if (typeof value === 'string') return aliases.get(value) ?? value;
    if (Array.isArray(value)) return value.map(rename);
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [aliases.get(k) ?? k, rename(v)]));
    }
    return value;
  };
  const restoreString = (text: string): string => (text.includes('gl') ? back.reduce((s, [alias, name]) => s.split(alias).join(name), text) : text);
  const restore = (value: unknown): unknown => {
    if (typeof value === 'string') return restoreString(value);
    if (Array.isArray(value)) return value.map(restore);
    // Typed arrays and other non-plain objects (statistics buffers) carry no names.
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [restoreString(k), restore(v)]));
    }
    return value;
  };
  return { graph: rename(graph) as ModelGraph, restore: <T>(value: T) => restore(value) as T };
}
