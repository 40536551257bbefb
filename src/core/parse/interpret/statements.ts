/**
 * The interpreter's statements: blocks, `if`, loops (bounded), `switch`, declarations and
 * assignments (which also name the models they bind).
 */
import type * as TS from 'typescript';
import { PARSE_LIMITS } from '../../limits';
import { FunctionValue, isModel, LayerValue, ObjectValue, Scope, Unknown, type Value } from '../values';
import { accessChain, isRunGuard, skipOuterExpressions, strictEquals, toPropertyKey, truthy } from './jsSemantics';
import { type Completion, InterpreterState, MAX_IDLE_LOOP_ITERATIONS, MAX_LOOP_ITERATIONS } from './state';

export abstract class Statements extends InterpreterState {
  protected hoistFunctions(statements: readonly TS.Statement[], scope: Scope): void {
    for (const statement of statements) {
      if (this.ts.isFunctionDeclaration(statement) && statement.name && statement.body) {
        scope.declare(statement.name.text, new FunctionValue(statement, scope, statement.name.text));
      }
    }
  }

  protected execBlock(statements: readonly TS.Statement[], scope: Scope): Completion {
    this.hoistFunctions(statements, scope);
    for (const statement of statements) {
      const completion = this.exec(statement, scope);
      if (completion) return completion;
    }
    return undefined;
  }

  protected exec(node: TS.Statement, scope: Scope): Completion {
    const ts = this.ts;
    this.tick();
    this.at = node;
    if (ts.isVariableStatement(node)) {
      const ambient = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword) ?? false;
      for (const declaration of node.declarationList.declarations) {
        const value = declaration.initializer
          ? this.eval(declaration.initializer, scope)
          : ambient ? new Unknown(this.text(declaration.name), `\`${this.text(declaration.name)}\` is declared but has no value in this file`) : undefined;
        this.bindPattern(declaration.name, value, scope);
      }
      return undefined;
    }
    if (ts.isExpressionStatement(node)) {
      this.eval(node.expression, scope);
      return undefined;
    }
    if (ts.isReturnStatement(node)) {
      return { kind: 'return', value: node.expression ? this.eval(node.expression, scope) : undefined };
    }
    if (ts.isBlock(node)) return this.execBlock(node.statements, new Scope(scope));
    if (ts.isIfStatement(node)) {
      const value = this.eval(node.expression, scope);
      const condition = truthy(value);
      if (condition === undefined) {
        // Argument checks (`if (!(h > 0)) throw ...`) guard the model code: read past them.
        if (this.alwaysThrows(node.thenStatement)) return node.elseStatement ? this.exec(node.elseStatement, scope) : undefined;
        // `if (require.main === module) main();`: the file run as a script, which is what a
        // measurement stands for. It decides no layer, so it is read as true and said so.
        if (isRunGuard(this.text(node.expression))) {
          const before = this.models.length;
          const completion = this.exec(node.thenStatement, scope);
          const models = this.models.slice(before);
          if (models.length) this.assumptions.push({ name: this.text(node.expression), value: 'true', message: `run guard \`${this.text(node.expression)}\` unknown: read as true (the file run as a script)`, range: this.rangeOf(node.expression), models });
          return completion;
        }
        const work = this.modelWork;
        const completion = this.exec(node.thenStatement, scope);
        // `if (digits < 1) { status.textContent = '...'; return; }`: a guard that builds nothing
        // and leaves; like argument checks, the code after it is the model code.
        if (completion?.kind === 'return' && this.modelWork === work && !node.elseStatement) return undefined;
        this.flowProblem(work, `Condition \`${this.text(node.expression)}\` is not a constant; read the first branch only.`, node.expression, value, 'condition');
        return completion;
      }
      if (condition) return this.exec(node.thenStatement, scope);
      return node.elseStatement ? this.exec(node.elseStatement, scope) : undefined;
    }
    if (ts.isForStatement(node)) return this.execFor(node, scope);
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) return this.execForOf(node, scope);
    if (ts.isWhileStatement(node) || ts.isDoStatement(node)) return this.execWhile(node, scope);
    if (ts.isFunctionDeclaration(node) || ts.isEmptyStatement(node) || ts.isImportDeclaration(node)) return undefined;
    if (ts.isBreakStatement(node)) return { kind: 'break', label: node.label?.text };
    if (ts.isContinueStatement(node)) return { kind: 'continue', label: node.label?.text };
    if (ts.isLabeledStatement(node)) {
      const completion = this.exec(node.statement, scope);
      if (completion && completion.kind === 'break' && completion.label === node.label.text) return undefined;
      return completion;
    }
    if (ts.isSwitchStatement(node)) return this.execSwitch(node, scope);
    if (ts.isTryStatement(node)) {
      const completion = this.exec(node.tryBlock, scope);
      if (completion) return completion;
      return node.finallyBlock ? this.exec(node.finallyBlock, scope) : undefined;
    }
    if (ts.isThrowStatement(node)) {
      this.thrown++;
      return { kind: 'return', value: undefined };
    }
    if (ts.isExportAssignment(node)) {
      const value = this.eval(node.expression, scope);
      this.nameModel(value, 'default');
      return undefined;
    }
    if (ts.isEnumDeclaration(node)) {
      scope.declare(node.name.text, this.evalEnum(node, scope));
      return undefined;
    }
    if (ts.isClassDeclaration(node)) {
      if (node.name) scope.declare(node.name.text, this.customLayerClass(node, scope) ?? this.classValue(node, node.name.text, scope));
      return undefined;
    }
    return undefined;
  }

  protected alwaysThrows(node: TS.Statement): boolean {
    const ts = this.ts;
    if (ts.isThrowStatement(node)) return true;
    if (ts.isBlock(node)) {
      const last = node.statements[node.statements.length - 1];
      return !!last && this.alwaysThrows(last);
    }
    return false;
  }

  protected evalEnum(node: TS.EnumDeclaration, scope: Scope): ObjectValue {
    const result = new ObjectValue(this.rangeOf(node));
    let next = 0;
    for (const member of node.members) {
      const name = this.propertyName(member.name, scope);
      if (name === undefined) continue;
      let value: Value = next;
      if (member.initializer) value = this.eval(member.initializer, scope);
      result.props.set(name, value);
      next = typeof value === 'number' ? value + 1 : NaN;
    }
    return result;
  }

  /** Runs one loop iteration's body; returns 'stop' on break/return, the completion to propagate. */
  protected loopBody(body: TS.Statement, scope: Scope, label: string | undefined): { stop: boolean; completion: Completion } {
    const completion = this.exec(body, scope);
    if (!completion) return { stop: false, completion: undefined };
    if (completion.kind === 'continue' && (!completion.label || completion.label === label)) return { stop: false, completion: undefined };
    if (completion.kind === 'break' && (!completion.label || completion.label === label)) return { stop: true, completion: undefined };
    return { stop: true, completion };
  }

  protected labelOf(node: TS.Node): string | undefined {
    return this.ts.isLabeledStatement(node.parent) ? node.parent.label.text : undefined;
  }

  protected execFor(node: TS.ForStatement, outer: Scope): Completion {
    const ts = this.ts;
    const scope = new Scope(outer);
    const label = this.labelOf(node);
    if (node.initializer) {
      if (ts.isVariableDeclarationList(node.initializer)) {
        for (const declaration of node.initializer.declarations) {
          this.bindPattern(declaration.name, declaration.initializer ? this.eval(declaration.initializer, scope) : undefined, scope);
        }
      } else {
        this.eval(node.initializer, scope);
      }
    }
    const work = this.modelWork;
    let readOnce = false;
    let unknownCondition: Value;
    this.iterations.push(0);
    try {
      for (let i = 0; ; i++) {
        if (node.condition) {
          const value = this.eval(node.condition, scope);
          const condition = truthy(value);
          if (condition === undefined) {
            if (i > 0) break;
            readOnce = true;
            unknownCondition = value;
          } else if (!condition) {
            break;
          }
        }
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        // Each iteration gets its own copy of `let` bindings, as in JS.
        const { stop, completion } = this.loopBody(node.statement, new Scope(scope), label);
        if (stop) return completion;
        if (node.incrementor) this.eval(node.incrementor, scope);
      }
    } finally {
      this.iterations.pop();
      if (readOnce && node.condition) {
        this.flowProblem(work, `Loop condition \`${this.text(node.condition)}\` is not a constant; the loop body was read once.`, node.condition, unknownCondition, 'repeat count');
      }
    }
    return undefined;
  }

  /** Loops that build layers may run 10,000 times; loops that build nothing stop sooner (they only cost time). */
  protected loopLimitReached(iteration: number, workBefore: number): boolean {
    return iteration >= MAX_LOOP_ITERATIONS || (iteration >= MAX_IDLE_LOOP_ITERATIONS && this.modelWork === workBefore);
  }

  protected loopCapProblem(node: TS.Node, workBefore: number, iterations = MAX_LOOP_ITERATIONS): void {
    const n = iterations.toLocaleString('en-US');
    this.problem(`Loop runs more than ${n} times; read only the first ${n} iterations.`, node, this.modelWork === workBefore ? 'info' : 'warning');
  }

  protected execForOf(node: TS.ForOfStatement | TS.ForInStatement, outer: Scope): Completion {
    const ts = this.ts;
    const label = this.labelOf(node);
    const iterable = this.eval(node.expression, outer);
    let items: Value[];
    if (ts.isForInStatement(node)) {
      items = iterable instanceof ObjectValue ? [...iterable.props.keys()] : Array.isArray(iterable) ? iterable.map((_, i) => String(i)) : [];
    } else {
      items = Array.isArray(iterable) ? [...iterable] : typeof iterable === 'string' ? [...iterable] : [];
    }
    const readOnce = !Array.isArray(iterable) && !(iterable instanceof ObjectValue && ts.isForInStatement(node)) && typeof iterable !== 'string';
    if (readOnce) {
      items = [new Unknown(this.text(node.initializer), `element of \`${this.text(node.expression)}\`, which is not a constant`)];
    }
    const work = this.modelWork;
    this.iterations.push(0);
    try {
      for (let i = 0; i < items.length; i++) {
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const scope = new Scope(outer);
        if (ts.isVariableDeclarationList(node.initializer)) {
          const declaration = node.initializer.declarations[0];
          if (declaration) this.bindPattern(declaration.name, items[i], scope);
        } else {
          this.assignTo(node.initializer, items[i], scope);
        }
        const { stop, completion } = this.loopBody(node.statement, scope, label);
        if (stop) return completion;
      }
    } finally {
      this.iterations.pop();
      if (readOnce) this.flowProblem(work, `\`${this.text(node.expression)}\` is not a constant list; the loop body was read once.`, node.expression, iterable, 'layer sizes');
    }
    return undefined;
  }

  protected execWhile(node: TS.WhileStatement | TS.DoStatement, scope: Scope): Completion {
    const label = this.labelOf(node);
    const isDo = this.ts.isDoStatement(node);
    const work = this.modelWork;
    let readOnce = false;
    let unknownCondition: Value;
    this.iterations.push(0);
    try {
      for (let i = 0; ; i++) {
        if (!isDo || i > 0) {
          const value = this.eval(node.expression, scope);
          const condition = truthy(value);
          if (condition === undefined) {
            readOnce = true;
            unknownCondition = value;
            if (isDo || i > 0) break;
          } else if (!condition) {
            break;
          }
        }
        if (this.loopLimitReached(i, work)) {
          this.loopCapProblem(node, work, i);
          break;
        }
        this.iterations[this.iterations.length - 1] = i;
        const { stop, completion } = this.loopBody(node.statement, new Scope(scope), label);
        if (stop) return completion;
      }
    } finally {
      this.iterations.pop();
      if (readOnce) this.flowProblem(work, `Loop condition \`${this.text(node.expression)}\` is not a constant; the loop body was read once.`, node.expression, unknownCondition, 'repeat count');
    }
    return undefined;
  }

  protected execSwitch(node: TS.SwitchStatement, outer: Scope): Completion {
    const ts = this.ts;
    const value = this.eval(node.expression, outer);
    const scope = new Scope(outer);
    const clauses = node.caseBlock.clauses;
    let start = -1;
    const work = this.modelWork;
    if (value instanceof Unknown) {
      start = 0;
    } else {
      start = clauses.findIndex((clause) => ts.isCaseClause(clause) && strictEquals(this.eval(clause.expression, scope), value) === true);
      if (start < 0) start = clauses.findIndex((clause) => ts.isDefaultClause(clause));
    }
    if (start < 0) return undefined;
    try {
      for (const clause of clauses.slice(start)) {
        this.hoistFunctions(clause.statements, scope);
        for (const statement of clause.statements) {
          const completion = this.exec(statement, scope);
          if (completion?.kind === 'break' && !completion.label) return undefined;
          if (completion) return completion;
        }
      }
      return undefined;
    } finally {
      if (value instanceof Unknown) {
        this.flowProblem(work, `Switch on \`${this.text(node.expression)}\`, which is not a constant; read the first case only.`, node.expression, value, 'condition');
      }
    }
  }

  protected bindPattern(name: TS.BindingName, value: Value, scope: Scope): void {
    const ts = this.ts;
    if (ts.isIdentifier(name)) {
      scope.declare(name.text, value);
      this.nameModel(value, name.text);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      const used = new Set<string>();
      for (const element of name.elements) {
        if (element.dotDotDotToken) {
          const rest = new ObjectValue();
          if (value instanceof ObjectValue) {
            for (const [k, v] of value.props) if (!used.has(k)) rest.props.set(k, v);
          }
          this.bindPattern(element.name, rest, scope);
          continue;
        }
        const key = element.propertyName
          ? this.propertyName(element.propertyName, scope)
          : ts.isIdentifier(element.name) ? element.name.text : undefined;
        if (key === undefined) continue;
        used.add(key);
        let item = this.member(value, key, element);
        // An unknown options object: its defaults are what a caller gets by leaving keys out.
        if ((item === undefined || value instanceof Unknown) && element.initializer) item = this.eval(element.initializer, scope);
        else if (item instanceof Unknown && ts.isIdentifier(element.name)) {
          item = new Unknown(element.name.text, item.reason, { name: element.name.text, range: this.rangeOf(element.name) }, item.foreign, item.call);
        }
        this.bindPattern(element.name, item, scope);
      }
      return;
    }
    name.elements.forEach((element, index) => {
      if (ts.isOmittedExpression(element)) return;
      let item: Value;
      if (element.dotDotDotToken) item = Array.isArray(value) ? value.slice(index) : new Unknown(this.text(element), 'rest of a value that is not a constant list');
      else item = Array.isArray(value) ? value[index] : value instanceof Unknown ? new Unknown(this.text(element), value.reason, value.hole) : undefined;
      if (item === undefined && element.initializer) item = this.eval(element.initializer, scope);
      this.bindPattern(element.name, item, scope);
    });
  }

  /** A model takes the name of the first binding it gets; a binding further out (a call site) wins. */
  protected nameModel(value: Value, name: string): void {
    if (!isModel(value)) return;
    if (this.callDepth < value.nameDepth) {
      value.name = name;
      value.nameDepth = this.callDepth;
    }
  }

  protected assignTo(target: TS.Expression, value: Value, scope: Scope): void {
    const ts = this.ts;
    const inner = skipOuterExpressions(ts, target);
    if (ts.isIdentifier(inner)) {
      if (!scope.assign(inner.text, value)) scope.declare(inner.text, value);
      this.nameModel(value, inner.text);
      return;
    }
    if (ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner)) {
      const object = this.eval(inner.expression, scope);
      const key = ts.isPropertyAccessExpression(inner) ? inner.name.text : toPropertyKey(this.eval(inner.argumentExpression, scope));
      if (key === undefined) return;
      // `layer.trainable = false` / `model.trainable = false`: frozen weights (tfjs reads the
      // layer config's `trainable`; a model's layers are frozen where it is used as a layer).
      if (key === 'trainable' && typeof value === 'boolean') {
        if (isModel(object)) object.trainable = value;
        else if (object instanceof LayerValue && object.config) object.config.props.set('trainable', value);
        return;
      }
      if (object instanceof ObjectValue) {
        object.props.set(key, value);
        object.ranges.set(key, { property: this.rangeOf(inner.parent), value: this.rangeOf(target.parent) });
      } else if (Array.isArray(object) && /^\d+$/.test(key)) {
        if (Number(key) >= PARSE_LIMITS.maxListLength) this.tooLong('list', Number(key) + 1, inner);
        else object[Number(key)] = value;
      } else if (object instanceof Unknown) {
        const chain = accessChain(inner.getText(this.file));
        if (chain !== undefined && value !== null && typeof value === 'object' && !(value instanceof Unknown)) this.storedOnUnknown.set(chain, value);
        // `window.onload = ...`, `self.createModel = ...`, `module.exports.build = ...`: stored
        // where outside code calls it.
        if (value instanceof FunctionValue) this.escape(value, chain ?? key);
      }
      this.nameModel(value, key);
      return;
    }
    if (ts.isArrayLiteralExpression(inner)) {
      inner.elements.forEach((element, index) => this.assignTo(element, Array.isArray(value) ? value[index] : undefined, scope));
    }
  }

  /** What the file stored at `node`'s access chain on an object it does not define, if anything. */
  protected storedMember(object: Value, node: TS.Expression): Value | undefined {
    if (!(object instanceof Unknown) || !this.storedOnUnknown.size) return undefined;
    const chain = accessChain(node.getText(this.file));
    return chain !== undefined ? this.storedOnUnknown.get(chain) : undefined;
  }

  /** Remembers `fn` as called by code outside the file (see `escapedFunctions`), once. */
  protected escape(fn: FunctionValue, name: string): void {
    if (this.escapedFunctions.some((e) => e.fn.declaration === fn.declaration)) return;
    this.escapedFunctions.push({ fn, name });
  }

  protected boundNames(name: TS.BindingName): string[] {
    const ts = this.ts;
    if (ts.isIdentifier(name)) return [name.text];
    return name.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : this.boundNames(e.name)));
  }
}
