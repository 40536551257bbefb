/**
 * How found models are named in a file's model list, for both front ends: a model built by a
 * template run (a function nobody calls, run once per string branch) takes the run's title, and
 * a name met twice gets a count (`cnn (2)`). What a run's title is stays with each front end.
 */

/**
 * Names for the models of template runs. `titleOf` is the run's title (undefined: not from a
 * run); a run that built more than one model gives each `title.variable`. Runs are told apart by
 * `keyOf` (default: the title). Returns: (model, variable name) -> its name.
 */
export function runTitles<M>(models: readonly M[], titleOf: (model: M) => string | undefined, keyOf: (model: M) => string | undefined = titleOf): (model: M, name: string) => string {
  const perRun = new Map<string, number>();
  for (const model of models) {
    const key = keyOf(model);
    if (key !== undefined) perRun.set(key, (perRun.get(key) ?? 0) + 1);
  }
  return (model, name) => {
    const title = titleOf(model);
    if (title === undefined) return name;
    const key = keyOf(model);
    return key !== undefined && (perRun.get(key) ?? 0) > 1 ? `${title}.${name}` : title;
  };
}

/** Names unique within one list: the second `cnn` is `cnn (2)`, the third `cnn (3)`. */
export class UniqueNames {
  private readonly used = new Map<string, number>();

  take(name: string): string {
    const seen = this.used.get(name) ?? 0;
    this.used.set(name, seen + 1);
    return seen ? `${name} (${seen + 1})` : name;
  }
}
