/**
 * One model per branch when a string from outside the file picks the architecture: an
 * argparse option (`--model cnn|mlp`, read through `args.model`, a parameter, a dict of
 * builders) or a named hole compared with strings (`sys.argv[1]`, `cfg["arch"]`). The file is
 * read again once per value (an option's `choices`, then the strings the code compares it
 * with); a model whose layers differ between the values becomes one model per value,
 * `name[value]`. A model no value changes stays one model; so does a file with no such string.
 *
 * Bounds: 8 values per string, 16 extra readings per file, and the file's time budget.
 */
import type { ModelGraph, ParseProblem, SourceRange } from '../ir';
import type { Selector } from './values';

/** One reading of the file: what the evaluator found with one set of outside values. */
export interface Reading {
  readonly models: readonly ModelGraph[];
  readonly problems: readonly ParseProblem[];
  readonly selectors: readonly Selector[];
  /** Start offsets of the functions the file's own code called (not as template runs). */
  readonly called: ReadonlySet<number>;
  /** The function (its definition's start and end) of each model a template run built. */
  readonly templateOf: ReadonlyMap<ModelGraph, { readonly start: number; readonly end: number }>;
  /** True when a budget ended the reading (its models may be partial) or a statement used up its steps. */
  readonly stopped: boolean;
}

/** What a variant reading changes: an option's value (by dest) or a hole's fill. */
export interface VariantValues {
  readonly chosen?: Readonly<Record<string, string>>;
  readonly set?: Readonly<Record<string, string>>;
}

const MAX_VALUES = 8;
const MAX_READINGS = 16;

/** The layers of a model as a comparable text: types, configs and wiring, not ranges or names. */
function signature(model: ModelGraph): string {
  return JSON.stringify([model.kind, model.inputs.length, model.outputs.length, model.layers.map((l) => [l.type, l.config, l.inbound.length, l.inboundOutputs ?? null])]);
}

/**
 * The models and problems of `base`, with every model a selector changes replaced by one
 * model per value. `read` reads the file again with the given values within `timeMs`.
 */
export function withVariants(
  base: Reading,
  read: (values: VariantValues, timeMs: number) => Reading,
  timeMs: number,
): { models: ModelGraph[]; problems: ParseProblem[] } {
  const problems = [...base.problems];
  // Models by name, in the order the base reading found them.
  let result = new Map<string, ModelGraph[]>();
  for (const model of base.models) result.set(model.name, [...(result.get(model.name) ?? []), model]);
  if (base.stopped || !base.selectors.length) return { models: [...base.models], problems };
  const options = new Set(base.selectors.filter((s) => s.kind === 'option').map((s) => s.name));
  // A hole on an option's namespace (`args.model` of an option without default) is that option.
  const selectors = base.selectors.filter((s) => s.kind === 'option' || !options.has(s.name.split('.').pop() ?? ''));
  const started = performance.now();
  const forkedNames = new Set<string>();
  const seen = new Set(problems.map((p) => `${p.range.start}:${p.message}`));
  let readings = 0;
  for (const selector of selectors) {
    const others = selector.values.filter((v) => v !== selector.current);
    const values = others.slice(0, MAX_VALUES);
    if (others.length > values.length) {
      problems.push({ message: `\`${selector.label}\` has ${selector.values.length.toLocaleString('en-US')} values; Gradient Lens reads the first ${MAX_VALUES + (selector.current !== undefined ? 1 : 0)} (its limit), one model each.`, range: selector.range, severity: 'info' });
    }
    const runs: [string, Reading][] = [];
    const unread: string[] = [];
    for (const value of values) {
      const left = timeMs - (performance.now() - started);
      if (readings >= MAX_READINGS || left <= 0) break;
      readings++;
      const variant = selector.kind === 'option' ? { chosen: { [selector.name]: value } } : { set: { [selector.name]: JSON.stringify(value) } };
      const reading = read(variant, left);
      // A reading the file's budget stopped is partial: no model of it, and said once.
      if (!reading.stopped) runs.push([value, reading]);
      else unread.push(`'${value}'`);
    }
    if (unread.length) {
      problems.push({ message: `Gradient Lens' step limit for this file ran out before every value of \`${selector.label}\` was read: no model for ${unread.join(', ')}.`, range: selector.range, severity: 'warning' });
    }
    if (!runs.length) continue;
    // With a default the base reading is the default's; without one it only stood in.
    const all: [string | undefined, Reading][] = [...(selector.current !== undefined ? [[selector.current, base] as [string, Reading]] : []), ...runs];
    const called = new Set([...base.called, ...runs.flatMap(([, r]) => [...r.called])]);
    const own = (reading: Reading, name: string): ModelGraph | undefined => reading.models.find((m) => {
      const template = reading.templateOf.get(m);
      // A function another value's reading calls is read there, with its arguments.
      return m.name === name && (template === undefined || !called.has(template.start));
    });
    const names = [...new Set([base, ...runs.map(([, r]) => r)].flatMap((r) => r.models.map((m) => m.name)))];
    const next = new Map(result);
    const forked: string[] = [];
    for (const name of names) {
      if (forkedNames.has(name)) continue;
      const baseModel = own(base, name);
      const per = all.map(([value, r]) => [value, own(r, name)] as const);
      const signatures = new Set(per.map(([, m]) => (m ? signature(m) : '')));
      if (baseModel && selector.current === undefined) signatures.add(signature(baseModel));
      if (signatures.size <= 1) {
        // Unchanged: the base reading's model stays; one only the values' readings have joins.
        const kept = baseModel ? undefined : per.find(([, m]) => m)?.[1];
        if (kept) next.set(name, [kept]);
        else if (!baseModel) next.delete(name);
        continue;
      }
      const added = new Set<string>();
      const list: ModelGraph[] = [];
      for (const [value, model] of per) {
        if (!model || added.has(signature(model))) continue;
        added.add(signature(model));
        list.push({ ...model, name: `${name}[${value}]` });
        forked.push(`${name}[${value}]`);
      }
      next.set(name, list);
      forkedNames.add(name);
    }
    if (!forked.length) continue;
    result = next;
    // Problems of the other values' readings; without a default, those only the stand-in had go;
    // so do those of a template run of a function another reading calls.
    const templateNoise = (r: Reading, p: ParseProblem): boolean =>
      [...r.templateOf.values()].some((t) => called.has(t.start) && !r.called.has(t.start) && t.start <= p.range.start && p.range.start < t.end);
    const variantKeys = new Set(runs.flatMap(([, r]) => r.problems.map((p) => `${p.range.start}:${p.message}`)));
    for (let i = problems.length - 1; i >= 0; i--) {
      const p = problems[i]!;
      if (!base.problems.includes(p)) continue;
      if (templateNoise(base, p) || (selector.current === undefined && !variantKeys.has(`${p.range.start}:${p.message}`))) problems.splice(i, 1);
    }
    for (const [, r] of runs) for (const p of r.problems) {
      if (templateNoise(r, p)) continue;
      const key = `${p.range.start}:${p.message}`;
      if (!seen.has(key)) problems.push(p);
      seen.add(key);
    }
    problems.push({
      message: `\`${selector.label}\` picks the architecture: one model per value, ${forked.map((n) => `\`${n}\``).join(', ')}.`,
      range: selector.range as SourceRange,
      severity: 'info',
    });
  }
  problems.sort((a, b) => a.range.start - b.range.start);
  return { models: [...result.values()].flat(), problems };
}
