/**
 * Statements and control flow: assignment (tuples, subscripts, `+=`), `if` / `for` / `while`
 * with the layers a loop or branch made recorded as flow holes when its count or condition is
 * unknown, `with` / `try`, `return`, and function and class definitions.
 */
import type { SyntaxNode } from '@lezer/common';
import type { FlowRole } from '../frontend/flowHoles';
import type { SourceRange } from '../ir';
import { ExpressionEvaluator } from './expressions';
import { KERAS_BASES, kerasPath } from './kerasApi';
import { comparisons, kids, pyString, rangeOf } from './syntax';
import {
  ClassValue, FunctionalModel, MAX_LOOP, NdArray, PyDict, PyFunction, PyInstance, PyModule, Scope, SequentialModel, Unknown,
  describe, equal, isPrimitive, truthy, type Completion, type Param, type Value,
} from './values';

export abstract class StatementEvaluator extends ExpressionEvaluator {
  /** Imports (evaluator.ts: it reads the user's own modules with a nested evaluator). */
  protected abstract execImport(node: SyntaxNode, scope: Scope): void;
  /** `# gradient-lens: name=value, ...` entries as values (evaluator.ts). */
  protected abstract parseFills(entriesText: string, at: SourceRange): Map<string, Value>;

  protected execBlock(statements: readonly SyntaxNode[], scope: Scope): Completion {
    for (const statement of statements) {
      const pending = scope === this.moduleScope ? this.pendingFills.get(statement.from) : undefined;
      if (pending) {
        for (const [k, v] of this.parseFills(pending.entries, pending.range)) {
          // An earlier annotation keeps its value; one from `--set` gives way to the file's own.
          if (this.fileFills.has(k) && !this.presetFillNames.has(k)) continue;
          this.fileFills.set(k, v);
          this.presetFillNames.delete(k);
        }
      }
      const completion = this.exec(statement, scope);
      if (completion) return completion;
    }
    return undefined;
  }

  protected execBody(body: SyntaxNode | undefined, scope: Scope): Completion {
    if (!body) return undefined;
    return this.execBlock(kids(body).filter((n) => n.name !== ':'), scope);
  }

  protected exec(node: SyntaxNode, scope: Scope): Completion {
    this.step();
    this.at = rangeOf(node);
    switch (node.name) {
      case 'ExpressionStatement': {
        const expr = kids(node)[0];
        if (expr) this.eval(expr, scope);
        return undefined;
      }
      case 'AssignStatement':
        this.execAssign(node, scope);
        return undefined;
      case 'UpdateStatement':
        this.execUpdate(node, scope);
        return undefined;
      case 'IfStatement':
        return this.execIf(node, scope);
      case 'ForStatement':
        return this.execFor(node, scope);
      case 'WhileStatement':
        return this.execWhile(node, scope);
      case 'MatchStatement':
        return this.execMatch(node, scope);
      case 'FunctionDefinition':
        this.defineFunction(node, scope);
        return undefined;
      case 'DecoratedStatement': {
        const inner = kids(node).find((n) => n.name === 'FunctionDefinition' || n.name === 'ClassDefinition');
        return inner ? this.exec(inner, scope) : undefined;
      }
      case 'ClassDefinition':
        this.defineClass(node, scope);
        return undefined;
      case 'ReturnStatement': {
        const parts = kids(node).slice(1).filter((n) => n.name !== ',');
        const value = parts.length === 0 ? null : parts.length === 1 ? this.eval(parts[0]!, scope) : parts.map((p) => this.eval(p, scope));
        return { kind: 'return', value };
      }
      case 'ImportStatement':
        this.execImport(node, scope);
        return undefined;
      case 'WithStatement': {
        const parts = kids(node);
        const asIndex = parts.findIndex((n) => n.name === 'as');
        if (asIndex >= 0 && parts[asIndex + 1]?.name === 'VariableName') scope.vars.set(this.t(parts[asIndex + 1]!), new Unknown(this.t(parts[asIndex + 1]!), 'bound by `with`'));
        return this.execBody(parts.find((n) => n.name === 'Body'), scope);
      }
      case 'TryStatement': {
        const bodies = kids(node);
        const completion = this.execBody(bodies.find((n) => n.name === 'Body'), scope);
        const finallyIndex = bodies.findIndex((n) => n.name === 'finally');
        if (finallyIndex >= 0) this.execBody(bodies[finallyIndex + 1], scope);
        return completion?.kind === 'raise' ? undefined : completion;
      }
      case 'BreakStatement':
        return { kind: 'break' };
      case 'ContinueStatement':
        return { kind: 'continue' };
      case 'RaiseStatement':
        return { kind: 'raise' };
      default:
        // pass, global, assert, del, comments, syntax errors: nothing to evaluate.
        return undefined;
    }
  }

  /** `a = b = value`, `a, b = 1, 2`, `x: int = 5`. */
  protected execAssign(node: SyntaxNode, scope: Scope): void {
    const groups: SyntaxNode[][] = [[]];
    for (const child of kids(node)) {
      if (child.name === 'AssignOp') groups.push([]);
      else if (child.name !== 'TypeDef') groups[groups.length - 1]!.push(child);
    }
    if (groups.length < 2) return;
    const valueGroup = groups.pop()!;
    const items = valueGroup.filter((n) => n.name !== ',');
    if (items.length === 0) return;
    let value = items.length === 1 && !valueGroup.some((n) => n.name === ',') ? this.eval(items[0]!, scope) : items.map((n) => this.eval(n, scope));
    // `bound = lib.call(...)` that cannot be evaluated: the variable names the hole (fillable as
    // `bound=...`), unless the unknown comes from a named value the call read (`np.sqrt(width)`).
    const target = groups.length === 1 && groups[0]!.length === 1 && groups[0]![0]!.name === 'VariableName' ? this.t(groups[0]![0]!) : undefined;
    if (target && value instanceof Unknown && items.length === 1 && items[0]!.name === 'CallExpression') {
      const callee = this.t(items[0]!).replace(/\s+/g, '');
      if (!value.hole || callee.startsWith(`${value.hole}(`) || value.hole === callee) {
        if (!this.holeRanges.has(target)) this.holeRanges.set(target, rangeOf(items[0]!));
        value = this.fillFor(target)?.value ?? new Unknown(value.text, value.reason, target);
      }
    }
    for (const group of groups) {
      const targets = group.filter((n) => n.name !== ',');
      if (targets.length === 1 && !group.some((n) => n.name === ',')) this.assign(targets[0]!, value, scope);
      else this.assignTuple(targets, value, scope);
    }
  }

  protected override assignTuple(targets: readonly SyntaxNode[], value: Value, scope: Scope): void {
    const starIndex = targets.findIndex((n) => n.name === '*');
    targets.forEach((target, i) => {
      if (target.name === '*') return;
      let item: Value;
      if (Array.isArray(value)) {
        if (starIndex >= 0 && i === starIndex + 1) item = value.slice(starIndex, value.length - (targets.length - i - 1));
        else item = value[starIndex >= 0 && i > starIndex ? value.length - (targets.length - i) : i] ?? new Unknown(this.t(target), 'too few values to unpack');
      } else if (value instanceof Unknown && value.hole && starIndex < 0) {
        // `_, n = x.shape`: each name is an element of the unknown (`x.shape[1]`), fillable as such.
        const hole = `${value.hole}[${i}]`;
        if (!this.holeRanges.has(hole)) this.holeRanges.set(hole, this.holeRanges.get(value.hole) ?? rangeOf(target));
        item = this.fillFor(hole)?.value ?? new Unknown(this.t(target), value.reason, hole);
      } else {
        item = new Unknown(this.t(target), value instanceof Unknown ? value.reason : `unpacking ${describe(value)} is not evaluated`);
      }
      this.assign(target, item, scope);
    });
  }

  protected override assign(target: SyntaxNode, value: Value, scope: Scope): void {
    switch (target.name) {
      case 'VariableName': {
        const name = this.t(target);
        scope.vars.set(name, value);
        if (value instanceof NdArray && value.shape.length > 1) this.dataArrays.push({ name, shape: value.shape });
        if (value instanceof SequentialModel || value instanceof FunctionalModel) {
          if (this.depth < value.nameDepth) {
            value.name = name;
            value.nameDepth = this.depth;
          }
        }
        return;
      }
      case 'TupleExpression':
      case 'ArrayExpression':
      case 'ParenthesizedExpression':
        this.assignTuple(kids(target).filter((n) => !['(', ')', '[', ']', ','].includes(n.name)), value, scope);
        return;
      case 'MemberExpression': {
        const parts = kids(target);
        const object = this.eval(parts[0]!, scope);
        if (parts[1]?.name !== '[') {
          // `self.dense = layers.Dense(8)` on an instance of a class of the file; other objects are not modelled.
          const prop = parts[parts.length - 1];
          if (object instanceof PyInstance && prop?.name === 'PropertyName') {
            object.attrs.set(this.t(prop), value);
            // `self.critic = Model(...)`: the model is named after the attribute, as after a variable.
            if ((value instanceof SequentialModel || value instanceof FunctionalModel) && this.depth < value.nameDepth) {
              value.name = this.t(prop);
              value.nameDepth = this.depth;
            }
          }
          return;
        }
        const index = this.eval(parts[2]!, scope);
        if (Array.isArray(object) && typeof index === 'number') {
          const i = index < 0 ? object.length + index : index;
          if (i >= 0 && i < object.length) object[i] = value;
        } else if (object instanceof PyDict && isPrimitive(index)) object.items.set(String(index), value);
        return;
      }
      default:
        return;
    }
  }

  protected execUpdate(node: SyntaxNode, scope: Scope): void {
    const [target, op, valueNode] = kids(node);
    if (!target || !op || !valueNode) return;
    const current = this.eval(target, scope);
    const operand = this.eval(valueNode, scope);
    // `list += [...]` extends the list in place, as Python does.
    if (this.t(op) === '+=' && Array.isArray(current) && Array.isArray(operand)) {
      current.push(...operand);
      return;
    }
    this.assign(target, this.binary(this.t(op).slice(0, -1), current, operand, node), scope);
  }

  protected execIf(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    if (this.argStrings.size) this.noteChainSelectors(parts, scope);
    let scanned = this.argStrings.size > 0;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.name === 'else') return this.execBody(parts[i + 1], scope);
      if (part.name !== 'if' && part.name !== 'elif') continue;
      const condNode = parts[i + 1];
      const body = parts[i + 2];
      if (!condNode || body?.name !== 'Body') return undefined;
      const value = this.eval(condNode, scope);
      const condition = truthy(value);
      if (condition === true) return this.execBody(body, scope);
      if (condition === undefined && !scanned) {
        scanned = true;
        this.noteChainSelectors(parts, scope);
      }
      if (condition === undefined) {
        // Argument checks (`if x < 0: raise ...`) guard the model code: read past them.
        const statements = kids(body).filter((n) => n.name !== ':');
        if (statements.length === 1 && statements[0]!.name === 'RaiseStatement') continue;
        this.problem(`Condition \`${this.t(condNode)}\` is not a constant; read the first branch only.`, rangeOf(condNode), 'info');
        const layersBefore = this.layersMade;
        const completion = this.execBody(body, scope);
        // The unknown decided which layers the model got: a hole of the model.
        if (value instanceof Unknown && value.hole) this.noteFlowHole(value.hole, 'condition', layersBefore, this.stringOfCondition(condNode));
        return completion;
      }
      i += 2;
    }
    return undefined;
  }

  protected execFor(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    const inIndex = parts.findIndex((n) => n.name === 'in');
    const targets = parts.slice(1, inIndex).filter((n) => n.name !== ',');
    const iterNode = parts[inIndex + 1];
    const body = parts.find((n) => n.name === 'Body');
    if (inIndex < 0 || !iterNode || !body) return undefined;
    const iterable = this.eval(iterNode, scope);
    const items = this.iterate(iterable, iterNode);
    const layersBefore = this.layersMade;
    // A loop over an unknown count or list that builds layers: the count is a hole of the model.
    const flowHole = !Array.isArray(iterable) && iterable instanceof Unknown && iterable.hole ? iterable.hole : undefined;
    const flowRole = iterNode.name === 'CallExpression' && this.t(iterNode).startsWith('range(') ? 'repeat count' : 'layer sizes';
    const bind = (item: Value): void => {
      if (targets.length === 1) this.assign(targets[0]!, item, scope);
      else this.assignTuple(targets, item, scope);
    };
    for (let i = 0; i < items.length; i++) {
      bind(items[i]!);
      this.iterations.push(i);
      let completion: Completion;
      try {
        completion = this.execBody(body, scope);
      } finally {
        this.iterations.pop();
      }
      if (completion?.kind === 'break') break;
      if (completion?.kind === 'return' || completion?.kind === 'raise') {
        this.noteFlowHole(flowHole, flowRole, layersBefore);
        return completion;
      }
    }
    this.noteFlowHole(flowHole, flowRole, layersBefore);
    const elseIndex = parts.findIndex((n) => n.name === 'else');
    return elseIndex >= 0 ? this.execBody(parts[elseIndex + 1], scope) : undefined;
  }

  /**
   * The strings an if/elif chain compares values with: values to try for an argparse option or
   * a named hole among them (`if args.model == "cnn": ... elif args.model == "mlp":`).
   */
  private noteChainSelectors(parts: readonly SyntaxNode[], scope: Scope): void {
    parts.forEach((part, i) => {
      if ((part.name === 'if' || part.name === 'elif') && parts[i + 1]) this.noteComparisons(parts[i + 1]!, scope);
    });
  }

  /**
   * `match subject:` with literal cases (`case "cnn" | "conv":`, `case _:`): the first case that
   * matches runs. An unknown subject reads the first case, as an unknown `if` does, and its
   * literals are values to try for it. Other patterns (classes, sequences) end the reading.
   */
  protected execMatch(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    const subjectNode = parts[1];
    const body = parts.find((n) => n.name === 'MatchBody');
    if (!subjectNode || !body) return undefined;
    const subject = this.eval(subjectNode, scope);
    const clauses = kids(body).filter((n) => n.name === 'MatchClause');
    const literalsOf = (pattern: SyntaxNode | undefined): Value[] | 'any' | undefined => {
      if (!pattern) return undefined;
      if (pattern.name === 'CapturePattern') return 'any';
      if (pattern.name === 'LiteralPattern') return kids(pattern).map((n) => this.eval(n, scope));
      if (pattern.name !== 'OrPattern') return undefined;
      const alternatives = kids(pattern).filter((n) => n.name !== 'LogicOp').map(literalsOf);
      return alternatives.every((a): a is Value[] => Array.isArray(a)) ? alternatives.flat() : undefined;
    };
    const patterns = clauses.map((clause) => literalsOf(kids(clause)[1]));
    const strings = patterns.flatMap((p) => (Array.isArray(p) ? p.filter((v): v is string => typeof v === 'string') : []));
    if (!this.scannedChains.has(node.from)) {
      this.scannedChains.add(node.from);
      this.noteSelector(subject, strings);
    }
    for (let i = 0; i < clauses.length; i++) {
      const clause = clauses[i]!;
      const pattern = patterns[i];
      const clauseBody = kids(clause).find((n) => n.name === 'Body');
      const guarded = kids(clause).some((n) => n.name === 'if');
      if (pattern === undefined || guarded) {
        this.problem(`This \`case\` pattern is not read; the \`match\` is read up to it.`, rangeOf(clause), 'info');
        return undefined;
      }
      if (pattern === 'any') {
        const name = kids(clause)[1] ? this.t(kids(clause)[1]!) : '_';
        if (name !== '_') scope.vars.set(name, subject);
        return this.execBody(clauseBody, scope);
      }
      const matches = pattern.map((literal) => equal(subject, literal));
      if (matches.includes(true)) return this.execBody(clauseBody, scope);
      if (matches.every((m) => m === false)) continue;
      this.problem(`\`match\` subject \`${this.t(subjectNode)}\` is not a constant; read the first case only.`, rangeOf(subjectNode), 'info');
      const layersBefore = this.layersMade;
      const completion = this.execBody(clauseBody, scope);
      const first = pattern.find((v) => typeof v === 'string');
      if (subject instanceof Unknown && subject.hole) this.noteFlowHole(subject.hole, 'condition', layersBefore, typeof first === 'string' ? JSON.stringify(first) : undefined);
      return completion;
    }
    return undefined;
  }

  protected noteFlowHole(name: string | undefined, role: FlowRole, layersBefore: number, suggestion?: string): void {
    const model = this.models[this.models.length - 1];
    if (!name || this.layersMade === layersBefore || !model) return;
    this.flowHoles.push({ name, role, model, ...(suggestion !== undefined ? { suggestion } : {}) });
  }

  /**
   * A condition that compares the unknown with a string (`kind == 'cnn'`, `'cnn' in kind`,
   * `kind.startswith('cnn')`) is filled by that string, not by True: the string, quoted.
   */
  protected stringOfCondition(cond: SyntaxNode): string | undefined {
    const literal = comparisons(cond, (n) => this.t(n)).find((c) => c.subject.name !== 'String' && c.against[0]!.name === 'String')?.against[0];
    // Double quotes: the advice wraps `--set 'name=value'` in single quotes for the shell.
    return literal ? JSON.stringify(pyString(this.t(literal))) : undefined;
  }

  /** The items of an iterable; an unknown one is read once with an unknown item. */
  protected override iterate(value: Value, at: SyntaxNode): Value[] {
    if (Array.isArray(value)) return value.slice(0, MAX_LOOP);
    if (typeof value === 'string') return [...value];
    if (value instanceof PyDict) return [...value.items.keys()];
    const reason = value instanceof Unknown ? value.reason : `${describe(value)} is not iterable here`;
    this.problem(`Loop over \`${this.t(at)}\` is not a constant (${reason}); its body is read once.`, rangeOf(at), 'info');
    return [new Unknown(`element of ${this.t(at)}`, reason, value instanceof Unknown ? value.hole : undefined)];
  }

  protected execWhile(node: SyntaxNode, scope: Scope): Completion {
    const parts = kids(node);
    const condNode = parts[1];
    const body = parts.find((n) => n.name === 'Body');
    if (!condNode || !body) return undefined;
    for (let i = 0; i < MAX_LOOP; i++) {
      const condition = truthy(this.eval(condNode, scope));
      if (condition === undefined) {
        this.problem(`Loop condition \`${this.t(condNode)}\` is not a constant; the loop is not followed.`, rangeOf(condNode), 'info');
        return undefined;
      }
      if (!condition) return undefined;
      this.iterations.push(i);
      let completion: Completion;
      try {
        completion = this.execBody(body, scope);
      } finally {
        this.iterations.pop();
      }
      if (completion?.kind === 'break') return undefined;
      if (completion?.kind === 'return' || completion?.kind === 'raise') return completion;
    }
    return undefined;
  }

  protected defineFunction(node: SyntaxNode, scope: Scope): PyFunction | undefined {
    const parts = kids(node);
    const nameNode = parts.find((n) => n.name === 'VariableName');
    const paramList = parts.find((n) => n.name === 'ParamList');
    if (!nameNode || !paramList) return undefined;
    const fn = new PyFunction(node, this.t(nameNode), scope, this.params(paramList), this);
    scope.vars.set(fn.name, fn);
    return fn;
  }

  protected params(list: SyntaxNode): Param[] {
    const params: Param[] = [];
    const parts = kids(list);
    let pendingKind: Param['kind'] = 'normal';
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p.name === '*') pendingKind = 'star';
      else if (p.name === '**') pendingKind = 'kwstar';
      else if (p.name === ',') pendingKind = 'normal';
      else if (p.name === 'VariableName') {
        let defaultNode: SyntaxNode | undefined;
        let j = i + 1;
        if (parts[j]?.name === 'TypeDef') j++;
        if (parts[j]?.name === 'AssignOp' && parts[j + 1]) defaultNode = parts[j + 1];
        params.push({ name: this.t(p), range: rangeOf(p), kind: pendingKind, ...(defaultNode ? { defaultNode } : {}) });
        i = defaultNode ? j + 1 : j - 1;
        pendingKind = 'normal';
      }
    }
    return params;
  }

  protected defineClass(node: SyntaxNode, scope: Scope): void {
    const parts = kids(node);
    const nameNode = parts.find((n) => n.name === 'VariableName');
    if (!nameNode) return;
    const name = this.t(nameNode);
    const bases = parts.find((n) => n.name === 'ArgList');
    let keras = false;
    let model = false;
    if (bases) {
      for (const base of kids(bases)) {
        if (base.name === '(' || base.name === ')' || base.name === ',') continue;
        const value = this.eval(base, scope);
        const path = value instanceof PyModule ? kerasPath(value.path) : undefined;
        const last = path?.[path.length - 1];
        if ((last && KERAS_BASES.has(last)) || (value instanceof ClassValue && value.keras)) keras = true;
        if (last === 'Model' || last === 'Sequential' || (value instanceof ClassValue && value.model)) model = true;
      }
    }
    // Methods (own, then the file's base classes'): a custom layer or plain class is instantiated
    // with `__init__` and a custom layer applied with `call` (calls.ts). Defined in a scope of
    // their own whose parent is the class's (Python methods do not see class names bare).
    const methods = new Map<string, PyFunction>();
    if (bases) {
      for (const base of kids(bases)) {
        const value = base.name === 'VariableName' ? scope.lookup(this.t(base))?.value : undefined;
        if (value instanceof ClassValue) for (const [k, fn] of value.methods) methods.set(k, fn);
      }
    }
    const body = parts.find((n) => n.name === 'Body');
    const classScope = new Scope(scope);
    for (const statement of body ? kids(body) : []) {
      const def = statement.name === 'DecoratedStatement' ? kids(statement).find((n) => n.name === 'FunctionDefinition') : statement;
      if (def?.name !== 'FunctionDefinition') continue;
      const fn = this.defineFunction(def, classScope);
      if (fn) methods.set(fn.name, fn);
    }
    if (keras && model) {
      // A subclassed model is a model of the file that is not measured (exit 3); a subclassed
      // layer is read where it is applied (its `call`), and a use it cannot follow says so.
      this.problem(`Subclassed Keras class \`${name}\` is not supported: its layers are wired in Python code (\`call\`) that Gradient Lens does not follow. Build it with \`Sequential\` or the functional API to analyze it.`, { start: node.from, end: bases ? bases.to : nameNode.to }, 'warning', model);
    }
    scope.vars.set(name, new ClassValue(name, keras, model, methods));
  }
}
