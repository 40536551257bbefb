/**
 * Calls: of the file's functions (arguments bound, bodies run, recursion bounded), of methods
 * (tfjs models and layers, arrays, strings), of unknown functions (a hole named after the call),
 * and classes (`new`, `super`, a `tf.layers.Layer` subclass as a custom layer type).
 */
import type * as TS from 'typescript';
import { CLIP_HELPER_NAME, CLIPPED_OPTIMIZER_CALL } from '../../ir';
import { TFJS_MODULES } from '../tfjsApi';
import { layerLimitMessage, PARSE_LIMITS, ParseLimitError } from '../../limits';
import {
  ArgParserValue,
  ClassValue,
  CustomLayerClass,
  FactoryCall,
  FunctionValue,
  isModel,
  LayerValue,
  Namespace,
  NativeFunction,
  ObjectValue,
  RegExpValue,
  Scope,
  SequentialModel,
  Unknown,
  type Value,
} from '../values';
import { accessChain, ARRAY_METHODS, skipOuterExpressions, stringMethod, toPropertyKey, unknownReason, VALUE_METHODS } from './jsSemantics';
import { Builtins } from './builtins';
import { MAX_CALL_DEPTH } from './state';

/** tfjs' Sequential factory, called bare after `import { sequential } from '@tensorflow/tfjs'`. */
const MODEL_FACTORIES: ReadonlySet<string> = new Set(['sequential']);

export abstract class Calls extends Builtins {
  protected isTfjsModule(node: TS.Expression | undefined): boolean {
    return !!node && this.ts.isStringLiteralLike(node) && TFJS_MODULES.has(node.text);
  }

  /** The exports of a relative import, or an Unknown saying why not (not read, missing, cycle). */
  protected importModule(specifier: string): ObjectValue | Unknown {
    if (!this.modules || !this.modules.isRelative(specifier)) return new Unknown(specifier, `imported from '${specifier}', which is not read`);
    return this.modules.load(specifier);
  }

  protected evalCall(node: TS.CallExpression, scope: Scope): Value {
    const ts = this.ts;
    const calleeNode = skipOuterExpressions(ts, node.expression);
    // `require('@tensorflow/tfjs')`
    if (ts.isIdentifier(calleeNode) && calleeNode.text === 'require' && !scope.lookup('require')) {
      const specifier = node.arguments[0];
      if (this.isTfjsModule(specifier)) return new Namespace([]);
      const source = specifier && ts.isStringLiteralLike(specifier) ? specifier.text : '?';
      const module = this.importModule(source);
      if (module instanceof ObjectValue) return module.props.size === 1 && module.props.has('default') ? module.props.get('default') : module;
      return new Unknown(this.text(node), module.reason);
    }
    // `document.getElementById('digits').value` in a page's script: the page's default value.
    if (ts.isPropertyAccessExpression(calleeNode) && ts.isIdentifier(calleeNode.expression) && calleeNode.expression.text === 'document' && !scope.lookup('document')) {
      const [id] = node.arguments;
      const key = calleeNode.name.text;
      if (id && ts.isStringLiteralLike(id) && (key === 'getElementById' || (key === 'querySelector' && id.text.startsWith('#')))) {
        const element = this.pageElement(key === 'querySelector' ? id.text.slice(1) : id.text);
        if (element) return element;
      }
    }
    if (calleeNode.kind === ts.SyntaxKind.SuperKeyword) {
      const ctor = ts.findAncestor(node, ts.isConstructorDeclaration);
      const base = ctor ? this.superTargets.get(ctor) : undefined;
      const self = scope.lookup('this')?.value;
      const args = this.evalArgs(node.arguments, scope);
      if (base && self instanceof ObjectValue) this.construct(base, args, node, self, false);
      // `class Net extends tf.Sequential { constructor() { super({...}); this.add(...) } }`:
      // `this` is the model tfjs' constructor makes from those arguments.
      const heritage = ctor?.parent.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      const tfBase = !base && heritage ? this.eval(heritage, scope) : undefined;
      if (tfBase instanceof Namespace && tfBase.path.length === 1 && (tfBase.path[0] === 'Sequential' || tfBase.path[0] === 'LayersModel')) {
        const made = this.callTf(new Namespace([tfBase.path[0] === 'Sequential' ? 'sequential' : 'model']), args, node);
        if (isModel(made)) scope.assign('this', made);
      }
      return undefined;
    }
    let thisValue: Value;
    let callee: Value;
    if (ts.isPropertyAccessExpression(calleeNode) || ts.isElementAccessExpression(calleeNode)) {
      thisValue = this.eval(calleeNode.expression, scope);
      const key = ts.isPropertyAccessExpression(calleeNode) ? calleeNode.name.text : toPropertyKey(this.eval(calleeNode.argumentExpression, scope));
      if (key === undefined) return new Unknown(this.text(node), 'method name is not a constant');
      if (node.questionDotToken || (ts.isPropertyAccessExpression(calleeNode) && calleeNode.questionDotToken)) {
        if (thisValue === undefined || thisValue === null) return undefined;
      }
      const method = this.method(thisValue, key, node, scope);
      if (method) return method.value;
      callee = this.storedMember(thisValue, calleeNode) ?? this.member(thisValue, key, calleeNode);
    } else {
      callee = this.eval(calleeNode, scope);
      // `sequential()` with no such import: tfjs' factory under a name the
      // file never binds (the import lists other names, or is missing), so no model is built.
      if (callee instanceof Unknown && ts.isIdentifier(calleeNode) && MODEL_FACTORIES.has(calleeNode.text) && !scope.lookup(calleeNode.text)) {
        this.problem(`\`${calleeNode.text}\` is not defined in this file, so no model is built here: import it (\`import { ${calleeNode.text} } from '@tensorflow/tfjs'\`) or call \`tf.${calleeNode.text}(...)\`.`, calleeNode, 'warning');
      }
    }
    const args = this.evalArgs(node.arguments, scope);
    if (callee instanceof Unknown) {
      if (callee.foreign) this.onForeignCall?.(callee.foreign, args, node);
      this.runCallbacks(args);
      const result = this.unknownCallResult(node, calleeNode, callee);
      // Remember which function of which file made it: passed to another builder of that file,
      // it is the model that builder builds.
      if (callee.foreign && result instanceof Unknown) return new Unknown(result.text, result.reason, result.hole, result.foreign, { ...callee.foreign, args });
      return result;
    }
    return this.callValue(callee, args, node, thisValue);
  }

  /**
   * The result of calling something unknown. A string or array method of a hole is still that
   * hole (`kind.startsWith('bi')` is decided by `kind`); any other call through a name or access
   * chain with constant arguments is a hole named after the call (`settings.units()`,
   * `ui.getDenseUnits()`, `base.outputs[0].shape.slice(1)`), which `--set` and annotations fill.
   */
  protected unknownCallResult(node: TS.CallExpression, calleeNode: TS.Expression, callee: Unknown): Value {
    const ts = this.ts;
    const method = ts.isPropertyAccessExpression(calleeNode) ? calleeNode.name.text : undefined;
    if (callee.hole && method && VALUE_METHODS.has(method)) return new Unknown(this.text(node), callee.reason, callee.hole);
    const chain = accessChain(calleeNode.getText(this.file));
    const constantArgs = node.arguments.length <= 1 && node.arguments.every((a) => ts.isNumericLiteral(a) || ts.isStringLiteralLike(a) || (ts.isPrefixUnaryExpression(a) && ts.isNumericLiteral(a.operand)));
    if (chain === undefined || !constantArgs) return new Unknown(this.text(node), callee.reason, chain === undefined ? callee.hole : undefined);
    const name = `${chain}(${node.arguments.map((a) => a.getText(this.file)).join(',')})`;
    const filled = this.fillFor(name);
    if (filled.found) return filled.value;
    return new Unknown(this.text(node), callee.reason, { name, range: this.rangeOf(node) });
  }

  callValue(callee: Value, args: readonly Value[], site: TS.Node, thisValue: Value): Value {
    if (callee instanceof Namespace) return this.callTf(callee, args, site);
    if (callee instanceof ObjectValue && callee === this.globals.lookup('Number')?.value) {
      return this.callValue(this.globals.lookup('%NumberConstructor')?.value, args, site, undefined);
    }
    if (callee instanceof NativeFunction) return callee.call(args, site);
    if (callee instanceof FunctionValue) return this.callFunction(callee, args, site, thisValue);
    this.runCallbacks(args);
    return new Unknown(this.text(site), 'call of a value that is not a known function');
  }

  /** `asTemplate`: parameters without an argument or default are unknown, not `undefined`. */
  protected callFunction(fn: FunctionValue, args: readonly Value[], site: TS.Node, thisValue: Value, asTemplate = false): Value {
    const ts = this.ts;
    // The clip-gradients fix's helper: its effect is known, its body need not be run.
    if (fn.name === CLIP_HELPER_NAME && !asTemplate) {
      this.calledFunctions.add(fn.declaration);
      return new FactoryCall(CLIPPED_OPTIMIZER_CALL, args.slice(0, 2));
    }
    this.calledFunctions.add(fn.declaration);
    this.callsOfRun?.add(fn.declaration);
    if (this.callDepth >= MAX_CALL_DEPTH) {
      this.problem(`Calls nest deeper than ${MAX_CALL_DEPTH} (recursion?); \`${fn.name}\` was not followed.`, site);
      return new Unknown(this.text(site), 'recursion too deep');
    }
    const scope = new Scope(fn.scope);
    // A `function` run as a template is most often an ES5 constructor (`const Agent = function
    // (n) { this.n = n; this.model = tf.sequential(...) }`): `this` is the object it fills.
    const constructorLike = asTemplate && (ts.isFunctionDeclaration(fn.declaration) || ts.isFunctionExpression(fn.declaration));
    const boundThis = fn.thisValue ?? thisValue ?? (constructorLike ? new ObjectValue() : undefined);
    if (boundThis !== undefined) scope.declare('this', boundThis);
    const given = asTemplate ? this.templateValues : undefined;
    fn.declaration.parameters.forEach((parameter, index) => {
      let value: Value = parameter.dotDotDotToken ? args.slice(index) : args[index];
      if (given && ts.isIdentifier(parameter.name) && given.has(parameter.name.text)) value = given.get(parameter.name.text);
      else if (given && ts.isObjectBindingPattern(parameter.name) && parameter.name.elements.some((e) => ts.isIdentifier(e.name) && given.has(e.name.text))) {
        // `function build({inputShape, units})`: an options object made of the given values.
        const options = new ObjectValue();
        for (const element of parameter.name.elements) {
          if (!ts.isIdentifier(element.name)) continue;
          const key = element.propertyName && ts.isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
          if (given.has(element.name.text)) options.props.set(key, given.get(element.name.text));
          else if (!element.initializer) options.props.set(key, new Unknown(element.name.text, `\`${element.name.text}\` of \`${fn.name}\`'s options has no known value`, { name: element.name.text, range: this.rangeOf(element.name) }));
        }
        value = options;
      } else if (value === undefined && parameter.initializer) value = this.eval(parameter.initializer, scope);
      else if (value === undefined && asTemplate && ts.isIdentifier(parameter.name) && this.jsDocDefault(fn.declaration, parameter.name.text)) {
        const { expression, file } = this.jsDocDefault(fn.declaration, parameter.name.text)!;
        value = this.evalForeign(expression, file, scope);
      } else if (value === undefined && asTemplate) {
        const name = this.text(parameter.name);
        value = new Unknown(name, `parameter \`${name}\` of \`${fn.name}\` has no known value`, { name, range: this.rangeOf(parameter.name) });
      }
      this.bindPattern(parameter.name, value, scope);
      // `constructor(private readonly units: number)` also sets `this.units`.
      if (boundThis instanceof ObjectValue && ts.isIdentifier(parameter.name) && ts.isParameterPropertyDeclaration(parameter, parameter.parent)) {
        boundThis.props.set(parameter.name.text, scope.lookup(parameter.name.text)?.value);
      }
    });
    const body = fn.declaration.body;
    if (!body) return undefined;
    this.callDepth++;
    let result: Value;
    try {
      if (ts.isBlock(body)) {
        const completion = this.execBlock(body.statements, scope);
        result = completion?.kind === 'return' ? completion.value : undefined;
      } else {
        result = this.eval(body, scope);
      }
    } finally {
      this.callDepth--;
    }
    // In a template run, the outermost function below the run's own that returns the model is its
    // builder (`buildModel(xs)` called by an uncalled `train`): the model is titled after it.
    // When the run's function returns the model itself, the run's label stays its title.
    if (this.templateName !== undefined && isModel(result)) result.returnedBy = asTemplate ? undefined : fn.name;
    return result;
  }

  /** Methods with behaviour: tfjs models and layers, arrays, strings. Undefined: not a method we handle. */
  protected method(object: Value, key: string, site: TS.CallExpression, scope: Scope): { value: Value } | undefined {
    if (object instanceof LayerValue && key === 'apply') return { value: this.applyLayer(object, this.evalArgs(site.arguments, scope), site) };
    if (object instanceof SequentialModel && key === 'add') {
      const [layer] = this.evalArgs(site.arguments, scope);
      this.modelWork++;
      if (object.layers.length >= PARSE_LIMITS.maxLayersPerModel) {
        // Said once per model, at the first layer refused.
        if (this.overLimit.has(object)) return undefined;
        this.overLimit.add(object);
        throw new ParseLimitError(layerLimitMessage(), this.rangeOf(site), 'statement');
      }
      if (layer instanceof LayerValue) object.layers.push(object.layers.length ? layer : this.firstSequentialLayer(layer));
      else if (isModel(layer)) this.addModelAsLayers(object, layer, site);
      else this.problem(`\`${this.text(site.arguments[0] ?? site)}\` is not a layer the parser could resolve; the model may be missing a layer here.`, site.arguments[0] ?? site, 'warning', true);
      return { value: undefined };
    }
    if (isModel(object) && key === 'compile') {
      this.compileModel(object, this.evalArgs(site.arguments, scope)[0], site);
      return { value: undefined };
    }
    if (isModel(object) && key === 'apply') return { value: this.applyModel(object, this.evalArgs(site.arguments, scope), site) };
    if (Array.isArray(object)) return ARRAY_METHODS.has(key) ? { value: this.arrayMethod(object, key, site, scope) } : undefined;
    if (typeof object === 'string') {
      // Results may be falsy (`null` from a match that fails, `false`, `-1`): they are results.
      const value = stringMethod(object, key, this.evalArgs(site.arguments, scope));
      return value === undefined ? undefined : { value };
    }
    if (object instanceof ArgParserValue) return this.argParserMethod(object, key, site, scope);
    if (object instanceof RegExpValue && key === 'test') {
      const [text] = this.evalArgs(site.arguments, scope);
      return { value: typeof text === 'string' ? object.regexp.test(text) : new Unknown(this.text(site), unknownReason(text, this.text(site)), text instanceof Unknown ? text.hole : undefined) };
    }
    return undefined;
  }

  /** A class value; its base when it extends another class of the file. */
  protected classValue(node: TS.ClassLikeDeclaration, name: string, scope: Scope): ClassValue {
    const ts = this.ts;
    const baseNode = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const base = baseNode ? this.eval(baseNode, scope) : undefined;
    return new ClassValue(node, scope, name, base instanceof ClassValue ? base : undefined);
  }

  /**
   * `new Agent(config)`: an object with the class's methods bound to it, its field initializers
   * run, then its constructor with the arguments (so a model built in the constructor, or in a
   * method it calls, gets them). `super(...)` runs the base class's constructor on the same object.
   */
  protected construct(cls: ClassValue, args: readonly Value[], site: TS.Node, instance = new ObjectValue(), install = true): ObjectValue {
    const ts = this.ts;
    // Methods of the whole chain, base first, so a subclass's override wins.
    if (install) {
      const chain: ClassValue[] = [];
      for (let c: ClassValue | undefined = cls; c && chain.length < MAX_CALL_DEPTH; c = c.base) chain.unshift(c);
      for (const each of chain) this.installMembers(each, instance);
    }
    const ctor = cls.declaration.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
    if (ctor) {
      const fn = new FunctionValue(ctor, cls.scope, cls.name, instance);
      this.superTargets.set(ctor, cls.base);
      this.callFunction(fn, args, site, instance);
    } else if (cls.base) {
      this.construct(cls.base, args, site, instance, false);
    }
    return instance;
  }

  protected installMembers(cls: ClassValue, instance: ObjectValue): void {
    const ts = this.ts;
    for (const member of cls.declaration.members) {
      if (ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
      if (ts.isMethodDeclaration(member) && member.body) {
        const name = this.propertyName(member.name, cls.scope);
        if (name !== undefined) instance.props.set(name, new FunctionValue(member, cls.scope, `${cls.name}.${name}`, instance));
      } else if (ts.isPropertyDeclaration(member) && member.initializer) {
        const name = this.propertyName(member.name, cls.scope);
        const scope = new Scope(cls.scope);
        scope.declare('this', instance);
        if (name !== undefined) instance.props.set(name, this.eval(member.initializer, scope));
      }
    }
  }

  /**
   * `class Scale extends tf.layers.Layer {...}`: an opaque layer type. Its output shape is read
   * from a simple `computeOutputShape` (`return inputShape;`, `return [inputShape[0], 7];`);
   * without one it is the input's, as in tfjs' own Layer.
   */
  protected customLayerClass(node: TS.ClassDeclaration, scope: Scope): CustomLayerClass | undefined {
    const ts = this.ts;
    const base = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const baseValue = base && this.eval(base, scope);
    const isLayer = (baseValue instanceof Namespace && baseValue.path.join('.') === 'layers.Layer') || baseValue instanceof CustomLayerClass;
    if (!isLayer || !node.name) return undefined;
    const className = node.name.text;
    const method = node.members.find(
      (m): m is TS.MethodDeclaration => ts.isMethodDeclaration(m) && ts.isIdentifier(m.name) && m.name.text === 'computeOutputShape' && !!m.body,
    );
    if (!method) return new CustomLayerClass(baseValue instanceof CustomLayerClass ? { ...baseValue.info, className } : { className, output: 'same' });
    const parameter = method.parameters[0]?.name;
    const returned = method.body!.statements.find(ts.isReturnStatement)?.expression;
    const inner = returned && skipOuterExpressions(ts, returned);
    const isParameter = (e: TS.Expression | undefined): boolean => !!e && !!parameter && ts.isIdentifier(parameter) && ts.isIdentifier(e) && e.text === parameter.text;
    if (isParameter(inner)) return new CustomLayerClass({ className, output: 'same' });
    // `return inputShape[0];` of a layer applied to a list: the first input's shape.
    if (inner && ts.isElementAccessExpression(inner) && isParameter(inner.expression) && ts.isNumericLiteral(inner.argumentExpression) && inner.argumentExpression.text === '0') {
      return new CustomLayerClass({ className, output: 'same' });
    }
    if (inner && ts.isArrayLiteralExpression(inner) && inner.elements.length === 2) {
      const [batch, last] = inner.elements;
      const lastDim = last && this.eval(last, scope);
      if (batch && ts.isElementAccessExpression(batch) && isParameter(batch.expression) && typeof lastDim === 'number') {
        return new CustomLayerClass({ className, output: 'last', lastDim });
      }
    }
    return new CustomLayerClass({ className, output: 'unknown' });
  }

  /**
   * An `<input>` or `<textarea>` of the page next to the file (`index.html`) with a `value`: an
   * object with that `value` (a string, as the DOM gives it) and `checked`. Undefined when the
   * page or the element is not there, or the element is a `<select>` (its value is a choice:
   * the comparisons on it split the model instead).
   */
  protected pageElement(id: string): ObjectValue | undefined {
    this.page ??= this.modules?.readPage() ?? '';
    const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const tag = new RegExp(`<(input|textarea)\\b[^>]*\\bid\\s*=\\s*["']${escaped}["'][^>]*>`, 'i').exec(this.page)?.[0];
    if (!tag) return undefined;
    const value = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(tag);
    if (!value) return undefined;
    const element = new ObjectValue();
    element.props.set('value', value[1] ?? value[2] ?? '');
    element.props.set('checked', /\bchecked\b/i.test(tag));
    return element;
  }
}
