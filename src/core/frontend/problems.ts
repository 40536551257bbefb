/**
 * A front end's problem list: each problem said once, and the problems of a speculative run
 * (a template run, a callback read in case it builds a model) taken back when the run built
 * nothing, since then it was not model code and its problems are noise.
 */
import type { ParseProblem, SourceRange } from '../ir';

export class ProblemLog {
  /** In the order found; changed in place (front ends hand this array out). */
  readonly items: ParseProblem[] = [];
  private readonly keys = new Set<string>();

  /** `keyOf`: when two problems are the same one (the TS front end tells ends apart, Python does not). */
  constructor(private readonly keyOf: (message: string, range: SourceRange) => string) {}

  add(message: string, range: SourceRange, severity: ParseProblem['severity'], leftOut = false): void {
    const key = this.keyOf(message, range);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.items.push({ message, range, severity, ...(leftOut ? { leftOut: true as const } : {}) });
  }

  /** Takes `problems` back out (they may be said again later). */
  drop(problems: readonly ParseProblem[]): void {
    if (!problems.length) return;
    const dropped = new Set(problems);
    const kept = this.items.filter((p) => !dropped.has(p));
    this.items.splice(0, this.items.length, ...kept);
    for (const p of problems) this.keys.delete(this.keyOf(p.message, p.range));
  }

  /** Takes back every problem from `index` on (those of a run that started there). */
  dropFrom(index: number): void {
    this.drop(this.items.slice(index));
  }
}
