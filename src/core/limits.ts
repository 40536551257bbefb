/**
 * What reading one file may cost, shared by both front ends (TS/JS and Python). Reading never
 * runs user code, but it does evaluate constants, loops and helper calls, so a few lines can ask
 * for gigabytes (a list doubled in a loop) or hours (nested loops of layers). Every limit ends in
 * a problem at the line where it was hit; what was read before (and, for size limits, after) is
 * kept. The numbers are far above real model code (a ResNet-152 is ~500 Keras layers; the
 * examples and tfjs-examples nest expressions < 40 levels) and low enough that the worst input
 * stays under ~1 s and a few hundred MB (measured by the fuzz benchmark, bench/README.md).
 */
import type { SourceRange } from './ir';

export const PARSE_LIMITS = {
  /** Elements of one list / array value. */
  maxListLength: 100_000,
  /** Characters of one string value (1 M). */
  maxStringLength: 1_000_000,
  /** Layers one model may get; more is a problem at the call that adds the next one. */
  maxLayersPerModel: 5_000,
  /** Syntax-tree depth the readers walk; deeper expressions are cut (see boundedSyntax.ts). */
  maxSyntaxDepth: 250,
  /** Nested evaluations (expression depth times call depth) before an expression is given up. */
  maxEvalDepth: 1_500,
  /**
   * Wall-clock time of one file's evaluation, in ms: a backstop behind the step budgets (which
   * keep the CPU time near 1 s). Wall-clock, so a loaded machine reaches it sooner; the editor
   * passes 1 s (modelIndex.ts), where a stall is what matters.
   */
  timeMs: 10_000,
  /** Bytes of a file read for its imported constants (the file being analysed has no limit of its own). */
  maxImportBytes: 2_000_000,
  /**
   * Values one string that picks the architecture is read with (argparse `choices`, the strings
   * the code compares it with, a builder's call sites): one model per value, so also what one
   * such string may multiply a model into.
   */
  maxBranchValues: 8,
  /** Models one file may list (a loop that builds a model per iteration); more is a problem at the next. */
  maxModelsPerFile: 100,
  /**
   * Models one reading may build (a builder called in a loop or a recursion builds one per
   * call, each kept and scanned to the end of the reading); more stop the statement.
   */
  maxModelValues: 1_000,
} as const;

export type ParseLimits = typeof PARSE_LIMITS;

/** Problems that say a limit was hit (the messages below): never recovery noise to drop. */
export const LIMIT_PROBLEM = /nests too deeply|Gradient Lens' (?:limit|step limit|time limit)|\(its limit\)/;

/** Why a size limit refuses a value, or undefined when it fits. */
export function sizeProblem(value: unknown, limits: ParseLimits = PARSE_LIMITS): string | undefined {
  if (typeof value === 'string') return lengthProblem('string', value.length, limits);
  if (Array.isArray(value)) return lengthProblem('list', value.length, limits);
  return undefined;
}

/** Why a string / list of `length` is refused (before it is built), or undefined when it fits. */
export function lengthProblem(kind: 'string' | 'list', length: number, limits: ParseLimits = PARSE_LIMITS): string | undefined {
  const limit = kind === 'string' ? limits.maxStringLength : limits.maxListLength;
  if (!(length > limit)) return undefined;
  const unit = kind === 'string' ? 'characters' : 'elements';
  const size = Number.isFinite(length) ? length.toLocaleString('en-US') : 'unbounded';
  return `This ${kind} would have ${size} ${unit}, over Gradient Lens' limit of ${limit.toLocaleString('en-US')}; it is not read (the rest of the file is).`;
}

/** The message when a file's evaluation runs past `limits.timeMs`. */
export function timeLimitMessage(ms: number = PARSE_LIMITS.timeMs): string {
  return `Stopped reading this file here: it took more than ${ms / 1000} s to evaluate (Gradient Lens' time limit); models after this point may be missing.`;
}

export function layerLimitMessage(limits: ParseLimits = PARSE_LIMITS): string {
  return `This model would get more than ${limits.maxLayersPerModel.toLocaleString('en-US')} layers (Gradient Lens' limit per model); the layers from here on are not read.`;
}

export function modelLimitMessage(found: number, limits: ParseLimits = PARSE_LIMITS): string {
  return `This file defines ${found.toLocaleString('en-US')} models, more than Gradient Lens' limit of ${limits.maxModelsPerFile} per file; the models from here on are not listed.`;
}

export function modelValuesMessage(limits: ParseLimits = PARSE_LIMITS): string {
  return `This file builds more than ${limits.maxModelValues.toLocaleString('en-US')} models while it is read (a model built in a loop or a recursion?), Gradient Lens' limit; the statement is not read further and keeps its first ${limits.maxBranchValues} models.`;
}

export function depthLimitMessage(limits: ParseLimits = PARSE_LIMITS): string {
  return `This expression nests too deeply to read (over ${limits.maxSyntaxDepth} levels); its value is unknown, the rest of the file is still read.`;
}

/**
 * A wall-clock deadline read cheaply: `expired()` looks at the clock every 1024 calls, so it can
 * sit in an interpreter's per-step hook.
 */
export class Deadline {
  private calls = 0;
  private readonly end: number;
  constructor(readonly ms: number = PARSE_LIMITS.timeMs, private readonly now: () => number = () => performance.now()) {
    this.end = now() + ms;
  }
  expired(): boolean {
    if ((++this.calls & 1023) !== 0) return false;
    return this.now() > this.end;
  }
}

/** Thrown when one file's evaluation runs out of steps or time: the reader stops the file there. */
export class BudgetExceeded extends Error {
  constructor(
    readonly kind: 'steps' | 'time' = 'steps',
    /** The budget whose limit was reached (a reading's own, a statement's, the file's). */
    readonly budget?: EvaluationBudget,
  ) {
    super(kind);
  }
}

/**
 * Evaluation steps and wall-clock time of one file, shared by both front ends: `tick` in every
 * evaluation step (`cost` for work proportional to a value's size) throws BudgetExceeded past
 * `maxSteps` or the deadline, which keeps pathological input linear and bounded.
 *
 * Budgets nest (`child`): a step counts in the budget and every one it is inside, so one file's
 * readings (variants, imports, a statement after the limit was hit once) share the file's
 * steps and its deadline (checked at the outermost budget), and the whole stays bounded.
 */
export class EvaluationBudget {
  private steps = 0;
  /** True once this budget (or one it is inside) has thrown. */
  exceeded = false;
  constructor(public maxSteps: number, public deadline: Deadline = new Deadline(), private readonly parent?: EvaluationBudget) {}
  tick(cost = 1): void {
    this.steps += cost;
    if (this.steps > this.maxSteps) {
      this.exceeded = true;
      throw new BudgetExceeded('steps', this);
    }
    if (this.parent) {
      try {
        this.parent.tick(cost);
      } catch (error) {
        this.exceeded = true;
        throw error;
      }
    } else if (this.deadline.expired()) {
      this.exceeded = true;
      throw new BudgetExceeded('time', this);
    }
  }
  /** A budget inside this one, of at most `maxSteps` of its own (and what is left here). */
  child(maxSteps: number): EvaluationBudget {
    return new EvaluationBudget(maxSteps, this.deadline, this);
  }
  get used(): number {
    return this.steps;
  }
  /** Steps left here and in every budget this one is inside. */
  get left(): number {
    const own = this.maxSteps - this.steps;
    return this.parent ? Math.min(own, this.parent.left) : own;
  }
}

/** The message of a statement stopped at its step budget, the file read on (see `stepReserve`). */
export function statementStepsMessage(steps: number): string {
  return `Stopped reading this statement after ${steps.toLocaleString('en-US')} evaluation steps (Gradient Lens' limit; a very long loop or deep recursion?); its values are unknown, the rest of the file is still read.`;
}

/**
 * After a top-level statement uses up a reading's steps, the rest of the file gets this many
 * more (a quarter of the budget), at most an eighth of them per statement: a slow helper or
 * loop above the model costs that statement, not the models after it, and the total stays
 * 1.25 budgets.
 */
export function stepReserve(maxSteps: number): { total: number; perStatement: number } {
  const total = Math.floor(maxSteps / 4);
  return { total, perStatement: Math.floor(total / 8) };
}

/** The budget a reader evaluates with, swapped per statement by `readStatements`. */
/** A reader whose budget `readStatements` swaps per statement: both front ends' evaluators. */
export interface BudgetHolder {
  budget: EvaluationBudget;
  /** Set once a statement used up the reading's steps. */
  stepLimited: boolean;
}

/**
 * A file's top-level statements, each read on its own (both front ends): one that uses up the
 * reading's steps is stopped and reported (`report`, with `statementStepsMessage`), and from then
 * on the rest of the file reads on a reserve (`stepReserve`), each statement in a budget of its
 * own. `read` returns true to stop reading (a `return` at module level). Errors other than the
 * reading's own step limit go up unchanged; the holder's budget is restored after each statement.
 */
export function readStatements<S>(statements: Iterable<S>, holder: BudgetHolder, read: (statement: S) => boolean, report: (statement: S, message: string) => void): void {
  const own = holder.budget;
  let reserve: { total: number; perStatement: number } | undefined;
  for (const statement of statements) {
    if (reserve) holder.budget = own.child(reserve.perStatement);
    try {
      if (read(statement)) break;
    } catch (error) {
      const ownLimit = error instanceof BudgetExceeded && error.kind === 'steps' && (error.budget === holder.budget || (!reserve && error.budget === own));
      if (!ownLimit) throw error;
      report(statement, statementStepsMessage(holder.budget.maxSteps));
      if (!reserve) {
        reserve = stepReserve(own.maxSteps);
        own.maxSteps += reserve.total;
        holder.stepLimited = true;
      }
    } finally {
      holder.budget = own;
    }
  }
}

/** A limit hit while reading, thrown up to the statement (or file) that gives up; carries where. */
export class ParseLimitError extends Error {
  constructor(message: string, readonly range: SourceRange | undefined, readonly scope: 'statement' | 'file') {
    super(message);
  }
}
