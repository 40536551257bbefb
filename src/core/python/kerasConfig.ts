/**
 * Keras objects that become config values: a layer argument as a tfjs config value (strings in
 * tfjs spelling, unknowns reported where they are written), initializers, regularizers,
 * constraints, optimizers (the nearest tfjs optimizer for one tfjs lacks; Keras' default for an
 * unknown parameter) and `compile`'s optimizer, loss and metrics.
 */
import type { SyntaxNode } from '@lezer/common';
import { ACTIVATION_STAND_INS } from '../activations';
import { CLIPPED_OPTIMIZER_CALL, type ConfigObject, type ConfigValue, type PropertyRange, type SourceRange } from '../ir';
import { CallEvaluator } from './calls';
import {
  ACTIVATIONS, NEAREST_OPTIMIZER, OPTIMIZERS, OPTIMIZER_NAMES, OPTIMIZER_TITLES, TF1_PARAM_NAMES,
  activationOfPath, camelCase, kerasPath, tfjsConstraint, tfjsEnumValue, tfjsInitializer, tfjsLoss, tfjsMetric, tfjsRegularizer,
} from './kerasApi';
import { rangeOf } from './syntax';
import {
  ConfigResult, LayerValue, PyDict, PyFunction, PyModule, Unknown, describe,
  type Arg, type Args, type CompileRecord, type Value,
} from './values';

export abstract class KerasConfigEvaluator extends CallEvaluator {

  /** A Keras argument value as a tfjs config value; unknowns are reported at `at`. */
  protected toConfig(key: string, value: Value, at: SourceRange, layerRange: SourceRange): ConfigValue {
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (typeof value === 'string') return this.configString(key, value, layerRange);
    if (Array.isArray(value)) return value.map((v) => this.toConfig(key, v, at, layerRange));
    if (value instanceof PyDict) {
      const object: Record<string, ConfigValue> = {};
      for (const [k, v] of value.items) object[k] = this.toConfig(k, v, at, layerRange);
      return object;
    }
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof LayerValue) return { $call: `layers.${value.type}`, args: [value.config] };
    if (value instanceof PyModule) {
      const activation = activationOfPath(value.path);
      if (activation !== undefined && /activation$/i.test(key)) return this.configString(key, activation, layerRange);
      const path = kerasPath(value.path);
      // `kernel_initializer=initializers.HeNormal` (the class, not called).
      if (path && path[0] === 'initializers' && /Initializer$/.test(key)) return this.configString(key, path[path.length - 1]!, layerRange);
    }
    if (value instanceof Unknown) {
      const fill = value.hole ? ` Give \`${value.hole}\` a value with \`# gradient-lens: ${value.hole}=...\` above the function or statement, or --set.` : '';
      this.problem(`${key}: \`${value.text}\` is not a constant (${value.reason}).${fill}`, at, 'warning');
      return { $unknown: value.text, reason: value.reason, ...(value.hole ? { hole: value.hole } : {}) };
    }
    const reason = `${describe(value)} cannot be used as a config value here`;
    this.problem(`${key}: ${reason}.`, at, 'warning');
    return { $unknown: this.src.slice(at.start, at.end), reason };
  }

  protected configString(key: string, value: string, layerRange: SourceRange): ConfigValue {
    if (/activation$/i.test(key)) {
      const tfjs = ACTIVATIONS[value] ?? (Object.values(ACTIVATIONS).includes(value) ? value : undefined);
      if (tfjs) return tfjs;
      this.problem(
        ACTIVATION_STAND_INS.has(value)
          ? `tfjs has no \`${value}\` activation; training uses the layer without it, followed by a weightless stand-in layer that computes it.`
          : `tfjs has no \`${value}\` activation; the layer cannot be trained as written.`,
        layerRange,
        'warning',
      );
      return value;
    }
    if (/Initializer$/.test(key)) {
      const tfjs = tfjsInitializer(value);
      if (tfjs) return tfjs;
      this.problem(`tfjs has no \`${value}\` initializer.`, layerRange, 'warning');
      return value;
    }
    if (/Regularizer$/.test(key)) {
      const tfjs = tfjsRegularizer(value);
      if (!tfjs) {
        this.problem(`tfjs has no \`${value}\` regularizer.`, layerRange, 'warning');
        return value;
      }
      // Keras' string regularizers use factor 0.01.
      return { $call: `regularizers.${tfjs}`, args: [tfjs === 'l1l2' ? { l1: 0.01, l2: 0.01 } : { [tfjs]: 0.01 }] };
    }
    if (/Constraint$/.test(key)) return tfjsConstraint(value) ?? value;
    return tfjsEnumValue(key, value);
  }

  /** Keyword/positional arguments of a factory as one tfjs config object (camelCase keys). */
  protected factoryConfig(positional: readonly string[], args: Args, site: SyntaxNode, renames: Readonly<Record<string, string>> = {}): ConfigObject {
    const config: Record<string, ConfigValue> = {};
    const at = rangeOf(site);
    const put = (name: string, arg: Arg): void => {
      const key = renames[name] ?? camelCase(name);
      config[key] = this.toConfig(key, arg.value, arg.valueRange ?? at, at);
    };
    args.positional.forEach((arg, i) => {
      const name = positional[i];
      if (name) put(name, arg);
    });
    for (const [name, arg] of args.keywords) put(name, arg);
    return config;
  }

  protected initializer(name: string, args: Args, site: SyntaxNode): Value {
    const tfjs = tfjsInitializer(name);
    if (!tfjs) {
      this.problem(`tfjs has no \`${name}\` initializer.`, rangeOf(site), 'warning');
      return new Unknown(this.t(site), `tfjs has no \`${name}\` initializer`);
    }
    if (tfjs === 'zeros' || tfjs === 'ones') return new ConfigResult('initializer', { $call: `initializers.${tfjs}`, args: [] });
    const positional: Record<string, readonly string[]> = {
      constant: ['value'], randomNormal: ['mean', 'stddev', 'seed'], truncatedNormal: ['mean', 'stddev', 'seed'],
      randomUniform: ['minval', 'maxval', 'seed'], varianceScaling: ['scale', 'mode', 'distribution', 'seed'],
      orthogonal: ['gain', 'seed'], identity: ['gain'],
    };
    const config = this.factoryConfig(positional[tfjs] ?? ['seed'], args, site);
    // Keras' Constant() defaults to 0; tfjs' constant has no default.
    if (tfjs === 'constant' && !('value' in config)) return new ConfigResult('initializer', { $call: 'initializers.constant', args: [{ ...config, value: 0 }] });
    return new ConfigResult('initializer', { $call: `initializers.${tfjs}`, args: [config] });
  }

  protected regularizer(name: string, args: Args, site: SyntaxNode): Value {
    const tfjs = tfjsRegularizer(name);
    if (!tfjs) return new Unknown(this.t(site), `tfjs has no \`${name}\` regularizer`);
    const config = { ...this.factoryConfig(tfjs === 'l1l2' ? ['l1', 'l2'] : [tfjs], args, site) };
    // Keras' defaults: 0.01 for l1/l2 and the `l1_l2` function, 0 for the `L1L2` class; tfjs' differ.
    const fallback = name === 'L1L2' ? 0 : 0.01;
    for (const k of tfjs === 'l1l2' ? ['l1', 'l2'] : [tfjs]) if (!(k in config)) config[k] = fallback;
    return new ConfigResult('regularizer', { $call: `regularizers.${tfjs}`, args: [config] });
  }

  protected constraint(name: string, args: Args, site: SyntaxNode): Value {
    const tfjs = tfjsConstraint(name);
    if (!tfjs) return new Unknown(this.t(site), `tfjs has no \`${name}\` constraint`);
    if (tfjs === 'nonNeg') return new ConfigResult('constraint', { $call: 'constraints.nonNeg', args: [] });
    const positional: Record<string, readonly string[]> = { maxNorm: ['max_value', 'axis'], unitNorm: ['axis'], minMaxNorm: ['min_value', 'max_value', 'rate', 'axis'] };
    return new ConfigResult('constraint', { $call: `constraints.${tfjs}`, args: [this.factoryConfig(positional[tfjs] ?? [], args, site)] });
  }

  /**
   * `optimizers.SGD(learning_rate=0.01, clipnorm=1.0)` -> `train.sgd(0.01)`, clipped. An optimizer
   * tfjs lacks trains as the nearest one (NEAREST_OPTIMIZER) and says so; a TF1 optimizer
   * (`tf1`: its full dotted name) reads TF1's parameter names. A parameter whose value is unknown
   * takes Keras' documented default and says so: it decides no layer, so it never blocks a run.
   */
  protected optimizer(path: readonly string[], args: Args, site: SyntaxNode, tf1?: string): Value {
    const name = path[path.length - 1]!;
    if (path.includes('schedules')) return new Unknown(this.t(site), 'learning-rate schedules are not evaluated');
    let key = name.toLowerCase();
    const given = new Map<string, Arg>();
    for (const [k, arg] of args.keywords) given.set(k === 'lr' ? 'learning_rate' : tf1 ? TF1_PARAM_NAMES[k] ?? (key === 'rmsprop' && k === 'decay' ? 'rho' : k) : k, arg);
    if (key === 'sgd_momentum') {
      // TF1 MomentumOptimizer(learning_rate, momentum): SGD with momentum.
      key = 'sgd';
      if (args.positional[1] && !given.has('momentum')) given.set('momentum', args.positional[1]);
      if (args.positional[0] && !given.has('learning_rate')) given.set('learning_rate', args.positional[0]);
    }
    const nearest = OPTIMIZERS[key] ? undefined : NEAREST_OPTIMIZER[key] ?? 'adam';
    const spec = OPTIMIZERS[nearest ?? key]!;
    const title = OPTIMIZER_TITLES[nearest ?? key] ?? key;
    if (tf1) this.problem(`TF1 optimizer \`${tf1.split('.').pop()}\` trains as tfjs' ${title} with the same parameters.`, rangeOf(site), 'info');
    else if (nearest) this.problem(`tfjs has no \`${name}\` optimizer; training uses ${title}, the nearest tfjs optimizer, with the same learning rate.`, rangeOf(site), 'info');
    args.positional.forEach((arg, i) => {
      const param = spec.params[i];
      if (param && !given.has(param[0])) given.set(param[0], arg);
    });
    const value = (pyName: string, fallback: number | boolean): ConfigValue => {
      const arg = given.get(pyName);
      if (!arg) return fallback;
      if (arg.value instanceof Unknown) {
        const what = pyName === 'learning_rate' ? 'learning rate' : `\`${pyName}\``;
        const fill = arg.value.hole ? ` (give \`${arg.value.hole}\` a value to use it)` : '';
        this.problem(`${title} ${what} \`${arg.value.text}\` is unknown: used ${String(fallback)}, ${title}'s default${fill}.`, arg.valueRange ?? rangeOf(site), 'info');
        return fallback;
      }
      return this.toConfig(pyName, arg.value, arg.valueRange ?? rangeOf(site), rangeOf(site));
    };
    let call: ConfigValue;
    const momentum = given.get('momentum');
    if (spec.factory === 'sgd' && momentum && momentum.value !== 0) {
      // tfjs' plain sgd has no momentum: its momentum optimizer is the twin.
      const nesterov = given.get('nesterov');
      call = { $call: 'train.momentum', args: [value('learning_rate', 0.01), value('momentum', 0.9), ...(nesterov ? [value('nesterov', false)] : [])] };
    } else {
      // Positional tfjs arguments up to the last one written (the rate always: tfjs needs it).
      let lastGiven = 0;
      spec.params.forEach(([p], i) => { if (given.has(p)) lastGiven = i; });
      call = { $call: `train.${spec.factory}`, args: spec.params.slice(0, lastGiven + 1).map(([p, d]) => value(p, d)) };
    }
    if (given.has('clipvalue')) this.problem('`clipvalue` is not supported; only `clipnorm` is applied when training.', given.get('clipvalue')!.property ?? rangeOf(site), 'info');
    const clip = given.get('clipnorm') ?? given.get('global_clipnorm');
    // Keras applies clipnorm only when it is positive (clipnorm=0.0 means no clipping).
    if (clip && !(clip.value instanceof Unknown) && !(typeof clip.value === 'number' && clip.value <= 0)) {
      const norm = this.toConfig('clipnorm', clip.value, clip.valueRange ?? rangeOf(site), rangeOf(site));
      call = { $call: CLIPPED_OPTIMIZER_CALL, args: [call, norm] };
    }
    return new ConfigResult('optimizer', call);
  }

  protected override compileRecord(args: Args, site: SyntaxNode): CompileRecord {
    const names = ['optimizer', 'loss', 'metrics'];
    const found = new Map<string, Arg>();
    args.positional.forEach((arg, i) => { if (names[i]) found.set(names[i]!, arg); });
    for (const name of names) if (args.keywords.has(name)) found.set(name, args.keywords.get(name)!);
    const configRanges: Record<string, PropertyRange> = {};
    const result: { optimizer?: ConfigValue; loss?: ConfigValue; metrics?: ConfigValue } = {};
    for (const [name, arg] of found) {
      if (arg.property && arg.valueRange) configRanges[name] = { property: arg.property, value: arg.valueRange };
      const at = arg.valueRange ?? rangeOf(site);
      if (name === 'optimizer') result.optimizer = this.compileOptimizer(arg.value, at);
      else if (name === 'loss') result.loss = this.compileLoss(arg.value, at);
      else result.metrics = this.compileMetrics(arg.value, at);
    }
    return { range: rangeOf(site), configRanges, ...(args.list ? { configRange: rangeOf(args.list) } : {}), ...result };
  }

  protected compileOptimizer(value: Value, at: SourceRange): ConfigValue {
    if (typeof value === 'string') {
      const lower = value.toLowerCase();
      if (OPTIMIZER_NAMES.has(lower)) return lower;
      const nearest = NEAREST_OPTIMIZER[lower] ?? 'adam';
      this.problem(`tfjs has no \`${value}\` optimizer; training uses ${OPTIMIZER_TITLES[nearest]}, the nearest tfjs optimizer, with Keras' default learning rate.`, at, 'info');
      return nearest;
    }
    if (value instanceof ConfigResult && value.kind === 'optimizer') return value.value;
    if (value instanceof Unknown || value === null) {
      // The optimizer decides no layer: Keras' own default (`compile(optimizer='rmsprop')`) stands in.
      const hole = value instanceof Unknown && value.hole ? ` (give \`${value.hole}\` a value to use it)` : '';
      this.problem(`The optimizer \`${value instanceof Unknown ? value.text : 'None'}\` is unknown: used RMSprop, Keras' default for \`compile\`${hole}.`, at, 'info');
      return 'rmsprop';
    }
    return this.toConfig('optimizer', value, at, at);
  }

  protected compileLoss(value: Value, at: SourceRange): ConfigValue {
    if (typeof value === 'string') {
      const loss = tfjsLoss(value);
      if (loss) return loss;
      this.problem(`tfjs has no \`${value}\` loss; training uses mean squared error instead.`, at, 'warning');
      return value;
    }
    if (Array.isArray(value)) return value.map((v) => this.compileLoss(v, at));
    if (value instanceof PyDict) return [...value.items.values()].map((v) => this.compileLoss(v, at));
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof PyModule) {
      const path = kerasPath(value.path);
      const loss = path && path[0] === 'losses' ? tfjsLoss(path[path.length - 1]!) : undefined;
      if (loss) return loss;
    }
    if (value instanceof PyFunction) {
      this.problem(`Custom loss \`${value.name}\` is not evaluated; training uses mean squared error instead.`, at, 'warning');
      return { $unknown: value.name, reason: 'custom loss functions are not evaluated' };
    }
    return this.toConfig('loss', value, at, at);
  }

  protected compileMetrics(value: Value, at: SourceRange): ConfigValue {
    if (typeof value === 'string') return tfjsMetric(value);
    if (Array.isArray(value)) return value.map((v) => this.compileMetrics(v, at));
    if (value instanceof ConfigResult) return value.value;
    if (value instanceof PyModule) return tfjsMetric(value.path[value.path.length - 1]!);
    if (value instanceof Unknown) return { $unknown: value.text, reason: value.reason };
    return { $unknown: describe(value), reason: 'not a metric the parser knows' };
  }
}
