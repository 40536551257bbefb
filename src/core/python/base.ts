/**
 * The state every layer of the Python evaluator shares, and its services: problems (each said
 * once), the evaluation budget, the text of a node, the per-statement guard, size limits and
 * fills (values given by annotation or `--set`).
 *
 * The evaluator is one class built in layers, one file per concern, each extending the one
 * below: base -> expressions -> statements -> calls -> kerasConfig -> kerasModels -> evaluator
 * (files, imports and templates). A layer calls upward only through the `abstract` methods it
 * declares, so the files import each other in one direction.
 */
import type { SyntaxNode } from '@lezer/common';
import type { FlowRole } from '../frontend/flowHoles';
import { ProblemLog } from '../frontend/problems';
import type { ParseProblem, SourceRange } from '../ir';
import { Deadline, EvaluationBudget, lengthProblem, modelValuesMessage, PARSE_LIMITS, ParseLimitError } from '../limits';
import { pythonBuiltins } from './builtins';
import { MAX_STEPS, Scope, Unknown, type EvaluatorOptions, type KeptModel, type Selector, type TemplateRun, type Value } from './values';

export abstract class EvaluatorBase {
  private readonly problemLog = new ProblemLog((message, range) => `${range.start}:${message}`);
  readonly problems: ParseProblem[] = this.problemLog.items;
  readonly models: KeptModel[] = [];

  /** Adds a model the reading built; past `maxModelValues` the statement stops (a model per loop or recursion step). */
  protected keepModel(model: KeptModel): void {
    if (this.models.length - this.statementModels >= PARSE_LIMITS.maxModelValues) {
      // The statement stops; it keeps its first few models (a runaway loop's are alike), so the
      // models of the statements after it still fit in the file's list.
      this.models.splice(this.statementModels + PARSE_LIMITS.maxBranchValues);
      throw new ParseLimitError(modelValuesMessage(), this.at, 'statement');
    }
    this.models.push(model);
  }
  /**
   * While a subclassed model's `call` is followed: each place a symbolic tensor went into code
   * that gave no tensor (an op not evaluated), in order, so a `call` that cannot be followed is
   * reported on the line that lost the tensor (kerasModels.ts `traceSubclassed`).
   */
  protected lostTensors: { readonly range: SourceRange; readonly reason: string }[] | undefined;
  /** Models there were when the top-level statement being read began (`maxModelValues` counts from it). */
  protected statementModels = 0;
  /** Where each named hole comes from (a parameter's declaration, a data access). */
  readonly holeRanges = new Map<string, SourceRange>();
  /** Unknown loop counts and lists that decided how many layers a model got. */
  readonly flowHoles: { readonly name: string; readonly role: FlowRole; readonly model: KeptModel; readonly suggestion?: string }[] = [];
  /** Layers made so far in the file (a loop that made none decided no layer). */
  protected layersMade = 0;
  /** Arrays of two or more dimensions the script makes, by variable: where an input shape may come from. */
  readonly dataArrays: { readonly name: string; readonly shape: readonly number[] }[] = [];
  readonly templateRuns: TemplateRun[] = [];
  /** The text node offsets point into (an annotation's while it is evaluated). */
  protected src: string;
  budget: EvaluationBudget;
  /** Nested calls right now. */
  protected depth = 0;
  /** Nested `eval`s right now (expression depth across calls); bounded so the stack is. */
  protected evalDepth = 0;
  /** The statement being executed: where a budget that runs out is reported. */
  protected at: SourceRange | undefined;
  protected nodeOrder = 0;
  /** Loop iterations the current layer is made in (outermost first). */
  protected readonly iterations: number[] = [];
  /** Functions called so far, by start offset: lezer makes a new node object per access. */
  protected readonly calledFunctions = new Set<number>();
  protected callsOfRun: Set<number> | undefined;
  protected readonly starImports: (readonly string[])[] = [];
  protected readonly builtins: ReadonlyMap<string, Value>;
  /** Values by name or access chain: `set`, module-level annotations, then a template's own. */
  protected readonly fileFills = new Map<string, Value>();
  protected templateFills: Map<string, Value> | undefined;
  protected moduleScope = new Scope();
  /** Module-level annotations by statement offset: read when the module reaches the statement. */
  protected readonly pendingFills = new Map<number, { entries: string; range: SourceRange }>();
  /** File fills that came from `--set`: an annotation in the file wins over them (README: annotation first). */
  protected readonly presetFillNames = new Set<string>();
  protected top: SyntaxNode | undefined;
  /** Where the syntax errors reported for the file start (a trailing-dot float, blank indented end: none). */
  protected readonly syntaxErrorStarts: number[] = [];
  /** Strings from outside the file that code compares with literals, by `option:dest` / `hole:name`. */
  readonly selectors = new Map<string, Selector>();
  /** The string value of each argparse option (or absl flag) in this run, by dest. */
  protected readonly argStrings = new Map<string, string>();
  /** absl / `tf.app.flags` flags defined so far (`flags.DEFINE_string('model', 'cnn', ...)`). */
  protected readonly flagValues = new Map<string, Value>();

  protected readonly text: string;

  constructor(
    text: string,
    protected readonly options: EvaluatorOptions = {},
  ) {
    this.text = withoutTrailingDotFloats(text);
    this.src = this.text;
    this.budget = options.budget ?? new EvaluationBudget(MAX_STEPS, new Deadline(options.timeMs));
    this.builtins = pythonBuiltins({ text: (node) => this.t(node), holeRanges: this.holeRanges, fillFor: (chain) => this.fillFor(chain) });
  }

  // ----- problems

  /** `leftOut`: a model or a layer the code builds is not read here (ParseProblem.leftOut). */
  problem(message: string, range: SourceRange, severity: ParseProblem['severity'] = 'warning', leftOut = false): void {
    this.problemLog.add(message, range, severity, leftOut);
  }

  protected dropProblemsFrom(index: number): void {
    this.problemLog.dropFrom(index);
  }

  /** The source text of `node`. */
  protected t(node: SyntaxNode): string {
    return this.src.slice(node.from, node.to);
  }

  /** One evaluation step (`cost` for work proportional to a value's size). */
  protected step(cost = 1): void {
    this.budget.tick(cost);
  }

  /**
   * Runs `body`; a per-statement limit (too many layers, code too deep for the stack) becomes a
   * problem at its line and the reading goes on after it.
   */
  protected guarded<T>(body: () => T): T | undefined {
    try {
      return body();
    } catch (error) {
      if (error instanceof ParseLimitError) {
        this.problem(error.message, error.range ?? this.at ?? { start: 0, end: 0 }, 'warning');
        return undefined;
      }
      if (error instanceof RangeError && /call stack/i.test(error.message)) {
        this.problem('This code nests too deeply for Gradient Lens to read; it was skipped, the rest of the file is still read.', this.at ?? { start: 0, end: 0 }, 'warning');
        return undefined;
      }
      throw error;
    }
  }

  /** A string or list over the size limits is refused with a problem at `site`. */
  protected tooLong(kind: 'string' | 'list', length: number, site: SourceRange): Unknown | undefined {
    const message = lengthProblem(kind, length);
    if (!message) return undefined;
    this.problem(message, site, 'warning');
    return new Unknown(this.src.slice(site.start, Math.min(site.end, site.start + 60)), 'it is too large to read');
  }

  /**
   * `value` was compared with (or used as a key of) `literals`: if it is an argparse option's
   * string or a named hole, those literals are values to try for it (see variants.ts).
   */
  protected noteSelector(value: Value, literals: readonly string[]): void {
    if (!literals.length) return;
    const add = (selector: Selector): void => {
      for (const literal of literals) if (!selector.values.includes(literal) && selector.values.length < 12) selector.values.push(literal);
    };
    if (typeof value === 'string') {
      for (const [dest, current] of this.argStrings) {
        const selector = current === value ? this.selectors.get(`option:${dest}`) : undefined;
        if (selector) add(selector);
      }
    } else if (value instanceof Unknown && value.hole) {
      const key = `hole:${value.hole}`;
      if (!this.selectors.has(key)) this.selectors.set(key, { kind: 'hole', name: value.hole, label: value.hole, values: [], range: this.holeRanges.get(value.hole) ?? this.at ?? { start: 0, end: 0 } });
      add(this.selectors.get(key)!);
    }
  }

  /** A value given for `chain` for `model`: its template run's fills, then the file's. */
  fillForModel(model: KeptModel, chain: string): { value: Value } | undefined {
    if (model.fills?.has(chain)) return { value: model.fills.get(chain)! };
    return this.fileFills.has(chain) ? { value: this.fileFills.get(chain)! } : undefined;
  }

  fillFor(chain: string): { value: Value } | undefined {
    if (this.templateFills?.has(chain)) return { value: this.templateFills.get(chain)! };
    if (this.fileFills.has(chain)) return { value: this.fileFills.get(chain)! };
    return undefined;
  }
}

/**
 * `0. and x` is valid Python, but @lezer/python 1.1 reads a float with a trailing dot before a
 * keyword as a syntax error. The dot is replaced by a space (same length, so every offset and
 * range stays true): `0. and` reads as `0  and`, the same number to the evaluator.
 */
export function withoutTrailingDotFloats(text: string): string {
  return text.replace(/(?<![\w.])(\d+)\.(?=[ \t]+(?:and|or|else|if|in|is|not|for)\b)/g, '$1 ');
}
