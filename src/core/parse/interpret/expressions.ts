/**
 * The interpreter's expressions: literals, names (an unknown read through a name is a hole),
 * operators, object and array literals, member access. Calls are the next layer's (`calls.ts`).
 */
import type * as TS from 'typescript';
import { PARSE_LIMITS } from '../../limits';
import { isCutPlaceholder } from '../boundedSyntax';
import {
  ArgParserValue,
  ClassValue,
  CustomLayerClass,
  FunctionalModel,
  FunctionValue,
  functionalNodes,
  isModel,
  LayerValue,
  Namespace,
  NativeFunction,
  ObjectValue,
  RegExpValue,
  Scope,
  SequentialModel,
  TensorValue,
  Unknown,
  type Value,
} from '../values';
import { accessChain, binaryOp, COMPOUND_ASSIGNMENT, copyProps, inferredFunctionName, isPrimitive, NOT_CONSTANT, skipOuterExpressions, toNumber, toPropertyKey, truthy, unknownReason } from './jsSemantics';
import { Statements } from './statements';
import { compactChain, HOLE_NAME, wholeChain } from '../../frontend/holeNames';

/** A whole hole name as `--set` takes it (frontend/holeNames). */
const HOLE_CHAIN = wholeChain(HOLE_NAME);

/** Node kinds that only read a value (no copy): reading a big list costs no extra steps. */
let reads: Set<number> | undefined;
function readKinds(ts: typeof TS): Set<number> {
  const K = ts.SyntaxKind;
  reads ??= new Set([K.Identifier, K.PropertyAccessExpression, K.ElementAccessExpression, K.ParenthesizedExpression, K.ThisKeyword, K.AsExpression, K.NonNullExpression]);
  return reads;
}

/** What `evalNode` does with an expression kind (`Other`: the tests of `evalOther`). */
const enum Kind { Other, Number, BigInt, String, True, False, Null, RegExp, This, Identifier, Inner, Object, Call, Binary, Prefix }
let expressionKinds: { readonly of: typeof TS.SyntaxKind; readonly table: Uint8Array } | undefined;
/** The table of `ts`'s syntax kinds (made once per TypeScript module). */
function expressionKindTable(ts: typeof TS): Uint8Array {
  const K = ts.SyntaxKind;
  if (expressionKinds?.of === K) return expressionKinds.table;
  const table = new Uint8Array(K.Count);
  const set = (kind: Kind, ...kinds: TS.SyntaxKind[]): void => kinds.forEach((k) => (table[k] = kind));
  set(Kind.Number, K.NumericLiteral);
  set(Kind.BigInt, K.BigIntLiteral);
  set(Kind.String, K.StringLiteral, K.NoSubstitutionTemplateLiteral);
  set(Kind.True, K.TrueKeyword);
  set(Kind.False, K.FalseKeyword);
  set(Kind.Null, K.NullKeyword);
  set(Kind.RegExp, K.RegularExpressionLiteral);
  set(Kind.This, K.ThisKeyword);
  set(Kind.Identifier, K.Identifier);
  // Expressions that are their inner expression's value.
  set(Kind.Inner, K.ParenthesizedExpression, K.AsExpression, K.TypeAssertionExpression, K.NonNullExpression, K.SatisfiesExpression, K.AwaitExpression);
  set(Kind.Object, K.ObjectLiteralExpression);
  set(Kind.Call, K.CallExpression);
  set(Kind.Binary, K.BinaryExpression);
  set(Kind.Prefix, K.PrefixUnaryExpression);
  expressionKinds = { of: K, table };
  return table;
}

/** The reason of a name the code stops after (a syntax error follows it): not a hole. */
const CUT_SHORT = 'the code stops here with a syntax error';
/** Start offsets of each file's syntax errors. */
const cutPoints = new WeakMap<TS.SourceFile, Set<number>>();

export abstract class Expressions extends Statements {
  /**
   * Evaluates `node`. An unknown read through a name or access chain (`features`,
   * `xTrain.shape[1]`) is a hole named after that chain: a value given for the name (annotation,
   * `--set`, a remembered value) fills it, otherwise the Unknown carries the name.
   */
  eval(node: TS.Expression, scope: Scope): Value {
    if (this.evalDepth >= PARSE_LIMITS.maxEvalDepth) {
      // Once per statement: every branch of a deep tree hits the limit.
      this.problem('This expression nests too deeply for Gradient Lens to read (with the calls around it); its value is unknown.', this.at ?? node, 'warning');
      return new Unknown('...', 'it nests too deeply to read');
    }
    this.evalDepth++;
    let value: Value;
    try {
      value = this.evalNode(node, scope);
    } finally {
      this.evalDepth--;
    }
    if ((typeof value === 'string' || Array.isArray(value)) && value.length > 64) {
      // Work proportional to what was built (a copy, a concatenation) counts against the budget.
      if (!readKinds(this.ts).has(node.kind)) this.tick(value.length >> 6);
      const big = this.tooBig(value, node);
      if (big) return big;
    }
    if (!(value instanceof Unknown)) return value;
    const ts = this.ts;
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node) && !ts.isElementAccessExpression(node)) return value;
    // Identifiers are chains already; only member accesses need their text checked.
    // (A zero-width identifier is the parser's stand-in for missing code: no name, no hole.)
    const chain = ts.isIdentifier(node) ? (isCutPlaceholder(node.text) ? undefined : node.text || undefined) : accessChain(node.getText(this.file));
    if (chain === undefined) return this.countHole(node, value);
    if (value.reason === CUT_SHORT) return value;
    const extendsHole = value.hole && (chain.startsWith(`${value.hole.name}.`) || chain.startsWith(`${value.hole.name}[`));
    const newHole = !value.hole || extendsHole;
    // A parameter's hole stays one even when the code stops after it (`dense({units: n` at the end).
    if (newHole && this.cutShort(node)) return this.cutShortName(chain, node);
    const filled = this.fillFor(chain);
    if (filled.found) return filled.value;
    if (!newHole) return value;
    return new Unknown(value.text, value.reason, { name: chain, range: this.rangeOf(node) }, value.foreign, value.call);
  }

  /**
   * `Object.keys(rows[0]).length`, `line.split(',').length`: a count the data decides, named
   * after its text (as Python's `len(...)` is) when the text is a name `--set` and annotations
   * take, so the model it sizes is unresolved with a way to fill it, not failed.
   */
  private countHole(node: TS.Expression, value: Unknown): Value {
    const ts = this.ts;
    if (value.hole || !ts.isPropertyAccessExpression(node) || node.name.text !== 'length' || this.cutShort(node)) return value;
    const name = compactChain(node.getText(this.file), HOLE_CHAIN);
    if (name === undefined) return value;
    const filled = this.fillFor(name);
    if (filled.found) return filled.value;
    return new Unknown(value.text, value.reason, { name, range: this.rangeOf(node) }, value.foreign, value.call);
  }

  /**
   * Handlers a JSX tree hands to React (`<button onClick={train}>`, `onClick={() => build()}`):
   * the user calls them, so they run as templates (see `escapedFunctions`). Only names, member
   * accesses and function literals are read: other attribute values may have effects.
   */
  private jsxHandlers(node: TS.Node, scope: Scope): void {
    const ts = this.ts;
    const visit = (child: TS.Node): void => {
      if (ts.isJsxAttribute(child) && child.initializer && ts.isJsxExpression(child.initializer) && child.initializer.expression) {
        const expression = skipOuterExpressions(ts, child.initializer.expression);
        if (ts.isIdentifier(expression) || ts.isPropertyAccessExpression(expression) || ts.isArrowFunction(expression) || ts.isFunctionExpression(expression)) {
          const value = this.eval(expression, scope);
          if (value instanceof FunctionValue) this.escape(value, value.name !== 'anonymous' ? value.name : child.name.getText(this.file));
        }
        return;
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
  }

  /**
   * Whether the code stops right after `node`: a syntax error starts where it ends, with only
   * white space between (`dense({units: 4, activ` at the end of the file, or before the next
   * line it was not finished on). Such a name is being typed, not a value the code reads.
   */
  protected cutShort(node: TS.Node): boolean {
    const file = node.getSourceFile();
    let starts = cutPoints.get(file);
    if (!starts) {
      const diagnostics = (file as unknown as { parseDiagnostics?: readonly { start?: number }[] }).parseDiagnostics ?? [];
      cutPoints.set(file, (starts = new Set(diagnostics.map((d) => d.start ?? -1))));
    }
    if (!starts.size) return false;
    let at = node.end;
    while (at < file.text.length && /\s/.test(file.text[at]!)) at++;
    return starts.has(at);
  }

  /** The value of a half-typed name: unknown, never a hole to fill, said once on its line. */
  protected cutShortName(name: string, node: TS.Node): Unknown {
    this.problem(`\`${name}\` is cut short: the code stops here with a syntax error, so it is not read (not a value to fill). Finish this line to analyze it.`, node, 'warning');
    return new Unknown(name, CUT_SHORT);
  }

  protected evalNode(node: TS.Expression, scope: Scope): Value {
    this.tick();
    // One table look-up and a jump instead of a chain of kind tests (`ts.SyntaxKind.X` is not a
    // constant here, so a `switch` over those compares them one by one).
    switch (expressionKindTable(this.ts)[node.kind]) {
      case Kind.Number:
        return Number((node as TS.NumericLiteral).text);
      case Kind.BigInt:
        return new Unknown(this.text(node), 'bigint values are not supported');
      case Kind.String:
        return (node as TS.StringLiteral).text;
      case Kind.True:
        return true;
      case Kind.False:
        return false;
      case Kind.Null:
        return null;
      case Kind.RegExp: {
        const text = (node as TS.RegularExpressionLiteral).text;
        const at = text.lastIndexOf('/');
        try {
          return new RegExpValue(new RegExp(text.slice(1, at), text.slice(at + 1).replace(/[gy]/g, '')));
        } catch {
          return new Unknown(text, 'regular expression not understood');
        }
      }
      case Kind.This: {
        const binding = scope.lookup('this');
        return binding ? binding.value : new Unknown('this', '`this` is not known here');
      }
      case Kind.Identifier:
        return this.evalIdentifier(node as TS.Identifier, scope);
      case Kind.Inner:
        return this.eval((node as TS.ParenthesizedExpression).expression, scope);
      case Kind.Object:
        return this.evalObject(node as TS.ObjectLiteralExpression, scope);
      case Kind.Call:
        return this.evalCall(node as TS.CallExpression, scope);
      case Kind.Binary:
        return this.evalBinary(node as TS.BinaryExpression, scope);
      case Kind.Prefix:
        return this.evalPrefix(node as TS.PrefixUnaryExpression, scope);
    }
    return this.evalOther(node, scope);
  }

  private evalIdentifier(node: TS.Identifier, scope: Scope): Value {
    const binding = scope.lookup(node.text);
    if (binding) return binding.value;
    if (isCutPlaceholder(node.text)) return new Unknown('...', 'it nests too deeply to read');
    // The TypeScript parser puts an empty identifier where code is missing (`units: ` at the end of a half-typed file).
    if (node.text === '') return new Unknown('(missing)', 'the code is incomplete here: a value is missing');
    return new Unknown(node.text, `\`${node.text}\` is not defined in this file`);
  }

  /** The less common expressions (`evalNode` dispatches the common ones). */
  private evalOther(node: TS.Expression, scope: Scope): Value {
    const ts = this.ts;
    if (ts.isTemplateExpression(node)) {
      let result = node.head.text;
      for (const span of node.templateSpans) {
        const value = this.eval(span.expression, scope);
        if (!isPrimitive(value)) return new Unknown(this.text(node), `\`${this.text(span.expression)}\` is not a constant`);
        result += String(value) + span.literal.text;
      }
      return result;
    }
    if (ts.isArrayLiteralExpression(node)) {
      const result: Value[] = [];
      for (const element of node.elements) {
        if (ts.isSpreadElement(element)) {
          const spread = this.eval(element.expression, scope);
          if (Array.isArray(spread)) result.push(...spread);
          else if (typeof spread === 'string') result.push(...spread);
          else result.push(new Unknown(this.text(element), `\`${this.text(element.expression)}\` is not a constant list`));
        } else if (ts.isOmittedExpression(element)) {
          result.push(undefined);
        } else {
          result.push(this.eval(element, scope));
        }
      }
      return result;
    }
    if (ts.isPropertyAccessExpression(node)) {
      const object = this.eval(node.expression, scope);
      if (node.questionDotToken && (object === undefined || object === null)) return undefined;
      return this.storedMember(object, node) ?? this.member(object, node.name.text, node);
    }
    if (ts.isElementAccessExpression(node)) {
      const object = this.eval(node.expression, scope);
      const key = toPropertyKey(this.eval(node.argumentExpression, scope));
      if (key === undefined) {
        return new Unknown(this.text(node), object instanceof Unknown ? object.reason : `index \`${this.text(node.argumentExpression)}\` is not a constant`, object instanceof Unknown ? object.hole : undefined);
      }
      return this.member(object, key, node);
    }
    if (ts.isNewExpression(node)) {
      const callee = this.eval(node.expression, scope);
      const args = this.evalArgs(node.arguments ?? ts.factory.createNodeArray(), scope);
      if (callee instanceof ObjectValue && ts.isIdentifier(node.expression) && node.expression.text === 'Array') {
        return this.callValue(this.globals.lookup('%ArrayConstructor')?.value, args, node, undefined);
      }
      // `new Agent(4, 2)` of a `function Agent(n, m) { this.model = ... }`: `this` is the new object.
      if (callee instanceof FunctionValue && !ts.isArrowFunction(callee.declaration) && callee.thisValue === undefined) {
        const instance = new ObjectValue();
        const result = this.callValue(callee, args, node, instance);
        return result instanceof ObjectValue || isModel(result) ? result : instance;
      }
      if (callee instanceof FunctionValue || callee instanceof NativeFunction) return this.callValue(callee, args, node, undefined);
      // `new tf.Sequential({...})` / `new tf.LayersModel({...})` are the classes behind the factories.
      if (callee instanceof Namespace && callee.path.length === 1 && (callee.path[0] === 'Sequential' || callee.path[0] === 'LayersModel')) {
        return this.callTf(new Namespace([callee.path[0] === 'Sequential' ? 'sequential' : 'model']), args, node);
      }
      if (callee instanceof Unknown && /(^|\.)ArgumentParser$/.test(node.expression.getText(this.file))) return new ArgParserValue();
      if (callee instanceof ClassValue) return this.construct(callee, args, node);
      if (callee instanceof CustomLayerClass) {
        const [config] = args;
        const iteration = this.iterations.length ? [...this.iterations] : undefined;
        this.countLayer(node);
        return new LayerValue(callee.info.className, false, config instanceof ObjectValue ? config : undefined, this.rangeOf(node), iteration, callee.info);
      }
      return new Unknown(this.text(node), `\`new ${this.text(node.expression)}\` is not evaluated`);
    }
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
      const thisValue = ts.isArrowFunction(node) ? scope.lookup('this')?.value : undefined;
      const name = node.name?.text ?? inferredFunctionName(ts, node);
      return new FunctionValue(node, scope, name, thisValue);
    }
    if (ts.isConditionalExpression(node)) {
      const condition = truthy(this.eval(node.condition, scope));
      if (condition === undefined) {
        return new Unknown(this.text(node), `condition \`${this.text(node.condition)}\` is not a constant`);
      }
      return this.eval(condition ? node.whenTrue : node.whenFalse, scope);
    }
    if (ts.isPostfixUnaryExpression(node)) {
      const old = this.eval(node.operand, scope);
      if (typeof old !== 'number') {
        this.assignTo(node.operand, new Unknown(this.text(node.operand), 'not a number'), scope);
        return new Unknown(this.text(node), 'not a number');
      }
      this.assignTo(node.operand, node.operator === ts.SyntaxKind.PlusPlusToken ? old + 1 : old - 1, scope);
      return old;
    }
    if (ts.isTypeOfExpression(node)) {
      const value = this.eval(node.expression, scope);
      if (value instanceof Unknown) return new Unknown(this.text(node), value.reason, value.hole);
      if (Array.isArray(value) || value === null || value instanceof ObjectValue) return 'object';
      if (value instanceof FunctionValue || value instanceof NativeFunction) return 'function';
      return isPrimitive(value) ? typeof value : 'object';
    }
    if (ts.isVoidExpression(node)) {
      this.eval(node.expression, scope);
      return undefined;
    }
    if (ts.isDeleteExpression(node)) return true;
    if (ts.isClassExpression(node)) return this.customLayerClass(node as unknown as TS.ClassDeclaration, scope) ?? this.classValue(node, node.name?.text ?? inferredFunctionName(ts, node), scope);
    if (ts.isTaggedTemplateExpression(node)) return new Unknown(this.text(node), 'tagged templates are not evaluated');
    if (ts.isJsxElement(node) || ts.isJsxSelfClosingElement(node) || ts.isJsxFragment(node)) {
      this.jsxHandlers(node, scope);
      return new Unknown(this.text(node), 'JSX is not evaluated');
    }
    return new Unknown(this.text(node), 'this kind of expression is not evaluated');
  }

  protected evalObject(node: TS.ObjectLiteralExpression, scope: Scope): ObjectValue {
    const ts = this.ts;
    const result = new ObjectValue(this.rangeOf(node));
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = this.eval(property.expression, scope);
        if (spread instanceof ObjectValue) copyProps(spread, result);
        else if (!(spread === undefined || spread === null)) {
          this.problem(`Spread \`${this.text(property.expression)}\` is not a constant object; its properties are unknown.`, property, 'info');
        }
        continue;
      }
      if (ts.isShorthandPropertyAssignment(property)) {
        // A half-typed property name (`{units: 4, activ` where the file stops) is no property.
        if (!scope.lookup(property.name.text) && this.cutShort(property.name)) {
          this.cutShortName(property.name.text, property.name);
          continue;
        }
        result.props.set(property.name.text, this.eval(property.name, scope));
        result.ranges.set(property.name.text, { property: this.rangeOf(property), value: this.rangeOf(property.name) });
        continue;
      }
      const key = property.name ? this.propertyName(property.name, scope) : undefined;
      if (key === undefined) continue;
      if (ts.isPropertyAssignment(property)) {
        result.props.set(key, this.eval(property.initializer, scope));
        result.ranges.set(key, { property: this.rangeOf(property), value: this.rangeOf(property.initializer) });
      } else if (ts.isMethodDeclaration(property) && property.body) {
        result.props.set(key, new FunctionValue(property, scope, key, result));
      }
    }
    return result;
  }

  protected propertyName(name: TS.PropertyName, scope: Scope): string | undefined {
    const ts = this.ts;
    if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isComputedPropertyName(name)) return toPropertyKey(this.eval(name.expression, scope));
    return undefined;
  }

  protected evalPrefix(node: TS.PrefixUnaryExpression, scope: Scope): Value {
    const ts = this.ts;
    const operand = this.eval(node.operand, scope);
    switch (node.operator) {
      case ts.SyntaxKind.PlusPlusToken:
      case ts.SyntaxKind.MinusMinusToken: {
        const next = typeof operand === 'number' ? operand + (node.operator === ts.SyntaxKind.PlusPlusToken ? 1 : -1) : new Unknown(this.text(node), 'not a number');
        this.assignTo(node.operand, next, scope);
        return next;
      }
      case ts.SyntaxKind.ExclamationToken: {
        const t = truthy(operand);
        return t === undefined ? new Unknown(this.text(node), 'operand is not a constant') : !t;
      }
      case ts.SyntaxKind.MinusToken:
        return typeof operand === 'number' ? -operand : new Unknown(this.text(node), unknownReason(operand, this.text(node.operand)));
      case ts.SyntaxKind.PlusToken:
        return toNumber(operand);
      case ts.SyntaxKind.TildeToken:
        return typeof operand === 'number' ? ~operand : new Unknown(this.text(node), 'operand is not a constant');
    }
    return new Unknown(this.text(node), 'operator not supported');
  }

  protected evalBinary(node: TS.BinaryExpression, scope: Scope): Value {
    const ts = this.ts;
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const value = this.eval(node.right, scope);
      this.assignTo(node.left, value, scope);
      return value;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      const left = this.eval(node.left, scope);
      if (op === ts.SyntaxKind.QuestionQuestionToken) {
        if (left instanceof Unknown) return new Unknown(this.text(node), left.reason, left.hole);
        return left === undefined || left === null ? this.eval(node.right, scope) : left;
      }
      const t = truthy(left);
      if (t === undefined) return new Unknown(this.text(node), unknownReason(left, this.text(node.left)));
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return t ? this.eval(node.right, scope) : left;
      return t ? left : this.eval(node.right, scope);
    }
    if (op === ts.SyntaxKind.CommaToken) {
      this.eval(node.left, scope);
      return this.eval(node.right, scope);
    }
    const compound = COMPOUND_ASSIGNMENT(ts).get(op);
    if (compound !== undefined) {
      const value = binaryOp(ts, compound, this.eval(node.left, scope), this.eval(node.right, scope));
      const result = value === NOT_CONSTANT ? new Unknown(this.text(node), 'operands are not constants') : value;
      this.assignTo(node.left, result, scope);
      return result;
    }
    const left = this.eval(node.left, scope);
    const right = this.eval(node.right, scope);
    const value = binaryOp(ts, op, left, right);
    if (value !== NOT_CONSTANT) return value;
    const culprit = left instanceof Unknown ? left : right instanceof Unknown ? right : undefined;
    return new Unknown(this.text(node), culprit ? culprit.reason : 'operands are not constants', culprit?.hole);
  }

  protected evalArgs(args: TS.NodeArray<TS.Expression>, scope: Scope): Value[] {
    const result: Value[] = [];
    for (const arg of args) {
      if (this.ts.isSpreadElement(arg)) {
        const spread = this.eval(arg.expression, scope);
        if (Array.isArray(spread)) result.push(...spread);
        else result.push(new Unknown(this.text(arg), 'spread of a value that is not a constant list'));
      } else {
        result.push(this.eval(arg, scope));
      }
    }
    return result;
  }

  member(object: Value, key: string, site: TS.Node): Value {
    if (object instanceof Namespace) return object.child(key);
    if (object instanceof ObjectValue) {
      if (object.props.has(key)) return object.props.get(key);
      return undefined;
    }
    if (Array.isArray(object)) {
      if (key === 'length') return object.length;
      if (/^\d+$/.test(key)) return object[Number(key)];
      return undefined;
    }
    if (typeof object === 'string') {
      if (key === 'length') return object.length;
      if (/^\d+$/.test(key)) return object[Number(key)];
      return undefined;
    }
    // A member of a call's result (`loadCsv(f).columnCount`) is named by its own access chain.
    if (object instanceof Unknown) return new Unknown(this.text(site), object.reason, object.hole?.name.endsWith(')') ? undefined : object.hole);
    if (object instanceof SequentialModel && key === 'layers') return [...object.layers];
    if (object instanceof FunctionalModel && key === 'layers') return functionalNodes(object).map((n) => n.layer);
    // `encoder.inputs` / `.outputs`: the model's symbolic tensors, as tfjs gives them (lists).
    if (object instanceof FunctionalModel && (key === 'inputs' || key === 'outputs')) return [...object[key]];
    if (object instanceof TensorValue && key === 'shape') return new Unknown(this.text(site), 'symbolic tensor shapes are inferred later, not during parsing');
    return new Unknown(this.text(site), `property \`${key}\` is not known`);
  }
}
