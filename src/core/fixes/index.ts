/**
 * Fixes: a fix code + a model + its source -> text edits that rewrite the user's code.
 * Pure (no vscode, no tfjs). Edits touch only the config property or call concerned and keep
 * the file's formatting; a layer made in a loop is edited once, in the loop body.
 */
import type { LayerNode, ModelGraph } from '../ir';
import { parseSource, type ParseOptions } from '../source';
import { applyEdits, type TextEdit } from './edits';
import { planAddResidual } from './addResidual';
import { planClipGradients } from './clipGradients';
import { planKerasFix } from './keras';
import { isPythonFile } from '../languages';
import { SourceView, type LayerSite } from './syntax';
import { isOutputFix, planOutputFix } from './outputFixes';
import { initializerScale } from '../analysis/initScale';

export { FIX_CODES, isFixCode, type FixCode, type FixPlan } from './codes';
export { activationOf, KERNEL_LAYERS, RELU_FAMILY, SATURATING_ACTIVATIONS } from '../layerKinds';
import type { FixCode, FixPlan } from './codes';
import { activationOf, KERNEL_LAYERS, RELU_FAMILY, SATURATING_ACTIVATIONS } from '../layerKinds';

const NORMALIZATION_LAYERS: ReadonlySet<string> = new Set(['batchNormalization', 'layerNormalization']);
/** ReLU spellings that can die (leaky ReLU / ELU replace them). */
const PLAIN_RELU: ReadonlySet<string> = new Set(['relu', 'relu6', 'reLU']);

function isOutput(graph: ModelGraph, layer: LayerNode): boolean {
  return graph.outputs.includes(layer.id);
}

/** One representative layer per source call (loop iterations share the call). */
function distinctCalls(layers: readonly LayerNode[]): LayerNode[] {
  const seen = new Set<string>();
  return layers.filter((layer) => {
    const key = `${layer.range.start}:${layer.range.end}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Consumers of each layer's output, built once per graph (planning stays linear in the layers). */
const consumers = new WeakMap<ModelGraph, Map<string, LayerNode[]>>();
function successors(graph: ModelGraph, layer: LayerNode): LayerNode[] {
  let byId = consumers.get(graph);
  if (!byId) {
    byId = new Map();
    for (const l of graph.layers) {
      for (const id of new Set(l.inbound)) {
        const list = byId.get(id);
        if (list) list.push(l);
        else byId.set(id, [l]);
      }
    }
    consumers.set(graph, byId);
  }
  return byId.get(layer.id) ?? [];
}

/** The layers a fix edits when the caller names none. */
export function defaultTargets(graph: ModelGraph, code: FixCode): LayerNode[] {
  const hidden = graph.layers.filter((l) => !isOutput(graph, l));
  switch (code) {
    case 'activation-leaky-relu':
    case 'activation-elu':
      // Saturating layers and the plain ReLU layers (the ones that can die); a finding's layers narrow it.
      return hidden.filter((l) => SATURATING_ACTIVATIONS.has(activationOf(l) ?? '') || (PLAIN_RELU.has(activationOf(l) ?? '') && (KERNEL_LAYERS.has(l.type) || l.type === 'reLU' || l.type === 'activation')));
    case 'activation-relu':
      return hidden.filter((l) => SATURATING_ACTIVATIONS.has(activationOf(l) ?? ''));
    case 'init-glorot': {
      // Saturating hidden layers, and any non-ReLU weight layer (the output's logits too) whose
      // initializer is over-scaled (initScale.ts): Glorot is the variance-preserving init there.
      const overscaled = new Set((initializerScale(graph)?.overscaled ?? []).filter((l) => !l.relu).map((l) => l.id));
      return graph.layers.filter((l) => KERNEL_LAYERS.has(l.type) && ((!isOutput(graph, l) && SATURATING_ACTIVATIONS.has(activationOf(l) ?? '')) || overscaled.has(l.id)));
    }
    case 'init-he':
      return hidden.filter((l) => KERNEL_LAYERS.has(l.type) && RELU_FAMILY.has(activationOf(l) ?? successorActivation(graph, l) ?? ''));
    case 'insert-batch-norm':
      return hidden.filter((l) => KERNEL_LAYERS.has(l.type) && !l.type.match(/RNN|lstm|gru/));
    case 'rnn-lstm':
    case 'rnn-gru':
      return graph.layers.filter((l) => l.type === 'simpleRNN');
    default:
      return [];
  }
}

/** A dense layer followed by a `reLU()` / `leakyReLU()` layer is a ReLU-family layer for init purposes. */
function successorActivation(graph: ModelGraph, layer: LayerNode): string | undefined {
  const next = successors(graph, layer);
  return next.length === 1 && next[0]!.type !== 'dense' ? activationOf(next[0]!) : undefined;
}

interface Target {
  readonly layer: LayerNode;
  readonly site: LayerSite;
}

function sites(view: SourceView, layers: readonly LayerNode[]): { targets: Target[]; missing: LayerNode[] } {
  const targets: Target[] = [];
  const missing: LayerNode[] = [];
  for (const layer of distinctCalls(layers)) {
    const site = view.layerSite(layer.range);
    if (site) targets.push({ layer, site });
    else missing.push(layer);
  }
  return { targets, missing };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A layer spelled like the one at `site` (same namespace prefix), e.g. `tf.layers.batchNormalization()`. */
function sibling(site: LayerSite, factory: string, config = ''): string {
  return `${site.prefix}${factory}(${config})`;
}

function needsConfigLiteral(code: FixCode, target: Target): FixPlan | undefined {
  if (target.site.config) return undefined;
  return { code, unavailable: `\`${target.layer.id}\` gets its config from a variable, not an object literal; edit it where the config is written.` };
}

/**
 * Plans one fix for `graph` in `text`. `layerIds` narrows the layers it edits (a finding's
 * layers); by default it edits every layer the fix applies to.
 */
export function planFix(text: string, fileName: string, graph: ModelGraph, code: FixCode, layerIds?: readonly string[]): FixPlan {
  const plan = planFixLf(text, fileName, graph, code, layerIds);
  // Fixes write '\n'; a file whose lines end in CRLF (Windows) keeps CRLF in the lines they add.
  const crlf = (text.match(/\r\n/g)?.length ?? 0) > (text.match(/(?<!\r)\n/g)?.length ?? 0);
  if (!crlf || !('edits' in plan)) return plan;
  return { ...plan, edits: plan.edits.map((edit) => ({ ...edit, newText: edit.newText.replace(/\r?\n/g, '\r\n') })) };
}

function planFixLf(text: string, fileName: string, graph: ModelGraph, code: FixCode, layerIds?: readonly string[]): FixPlan {
  if (isOutputFix(code)) return planOutputFix(text, fileName, graph, code, layerIds);
  // A finding's layers narrow the default targets; the same layers qualify with or without them,
  // so what a finding offers is what `fix --apply` and verification apply.
  const defaults = defaultTargets(graph, code);
  const wanted = layerIds ? new Set(layerIds) : undefined;
  const candidates = wanted ? defaults.filter((l) => wanted.has(l.id)) : defaults;
  if (isPythonFile(fileName)) {
    return planKerasFix({ text, graph, targets: distinctCalls(candidates), successors: (layer) => successors(graph, layer) }, code);
  }
  const view = new SourceView(text, fileName);
  if (code === 'add-residual') {
    const plan = planAddResidual(view, graph);
    return 'unavailable' in plan ? { code, unavailable: plan.unavailable } : { code, ...plan };
  }
  if (code === 'clip-gradients') {
    const plan = planClipGradients(view, graph);
    return 'unavailable' in plan ? { code, unavailable: plan.unavailable } : { code, ...plan };
  }
  if (candidates.length === 0) return { code, unavailable: `No layer of \`${graph.name}\` needs this fix.` };
  const { targets, missing } = sites(view, candidates);
  if (missing.length) return { code, unavailable: `Could not find the code of \`${missing[0]!.id}\` in the file.` };
  const edits: TextEdit[] = [];
  switch (code) {
    case 'activation-relu':
    case 'activation-elu': {
      const activation = code === 'activation-relu' ? 'relu' : 'elu';
      for (const target of targets) {
        if (target.layer.type === 'reLU') {
          // A `reLU()` layer becomes an `elu()` layer.
          edits.push({ range: view.range(target.site.call), newText: sibling(target.site, 'elu') });
          continue;
        }
        const blocked = needsConfigLiteral(code, target);
        if (blocked) return blocked;
        edits.push(view.setProperty(target.site.config!, 'activation', view.string(activation)));
      }
      return { code, title: `Use ${activation === 'relu' ? 'ReLU' : 'ELU'} in ${plural(targets.length, 'layer call')}`, edits };
    }
    case 'activation-leaky-relu': {
      // tfjs has no 'leakyRelu' activation string: drop the activation and add a leakyReLU layer.
      for (const target of targets) {
        if (target.layer.type === 'reLU') {
          edits.push({ range: view.range(target.site.call), newText: sibling(target.site, 'leakyReLU') });
          continue;
        }
        const blocked = needsConfigLiteral(code, target);
        if (blocked) return blocked;
        const insert = view.insertAfter(target.site, sibling(target.site, 'leakyReLU'));
        if (!insert) return { code, unavailable: `\`${target.layer.id}\` is not added with \`model.add\`, a \`layers: [...]\` list or \`.apply\`, so a layer cannot be inserted after it.` };
        if (target.layer.type === 'activation') {
          // An activation layer becomes the leakyReLU layer itself.
          edits.push({ range: view.range(target.site.call), newText: sibling(target.site, 'leakyReLU') });
          continue;
        }
        const removal = view.removeProperty(target.site.config!, 'activation');
        if (removal) edits.push(removal);
        edits.push(...insert);
      }
      return { code, title: `Use LeakyReLU after ${plural(targets.length, 'layer call')}`, edits };
    }
    case 'init-he':
    case 'init-glorot': {
      const initializer = code === 'init-he' ? 'heNormal' : 'glorotNormal';
      for (const target of targets.filter((t) => KERNEL_LAYERS.has(t.layer.type))) {
        const blocked = needsConfigLiteral(code, target);
        if (blocked) return blocked;
        if (target.layer.config.kernelInitializer === initializer) continue;
        edits.push(view.setProperty(target.site.config!, 'kernelInitializer', view.string(initializer)));
      }
      if (edits.length === 0) return { code, unavailable: `Every targeted layer already uses \`${initializer}\`.` };
      return { code, title: `Use ${code === 'init-he' ? 'He' : 'Glorot'} initialization in ${plural(edits.length, 'layer call')}`, edits };
    }
    case 'insert-batch-norm': {
      for (const target of targets) {
        const next = successors(graph, target.layer);
        if (next.some((l) => NORMALIZATION_LAYERS.has(l.type))) continue; // already normalized: idempotent
        const insert = view.insertAfter(target.site, sibling(target.site, 'batchNormalization'));
        if (!insert) return { code, unavailable: `\`${target.layer.id}\` is not added with \`model.add\`, a \`layers: [...]\` list or \`.apply\`, so a layer cannot be inserted after it.` };
        edits.push(...insert);
      }
      if (edits.length === 0) return { code, unavailable: 'Every targeted layer is already followed by batch normalization.' };
      return { code, title: `Insert batch normalization after ${plural(edits.length, 'layer call')}`, edits };
    }
    case 'rnn-lstm':
    case 'rnn-gru': {
      const factory = code === 'rnn-lstm' ? 'lstm' : 'gru';
      for (const target of targets) {
        if (!target.site.factory) return { code, unavailable: `Could not find the factory name of \`${target.layer.id}\`.` };
        edits.push({ range: view.range(target.site.factory), newText: factory });
      }
      return { code, title: `Replace simpleRNN with ${factory.toUpperCase()} in ${plural(targets.length, 'layer call')}`, edits };
    }
  }
}

/**
 * The fixes of a finding that can be applied to `text` (each planned on the finding's layers),
 * in the finding's order: a fix that cannot apply is never offered.
 */
export function applicableFixes(text: string, fileName: string, graph: ModelGraph, finding: { readonly fixes: readonly FixCode[]; readonly layers: readonly string[] }): FixCode[] {
  return finding.fixes.filter((code) => !('unavailable' in planFix(text, fileName, graph, code, finding.layers.length ? finding.layers : undefined)));
}

export interface AppliedFixes {
  readonly text: string;
  readonly applied: FixCode[];
  readonly skipped: { readonly code: FixCode; readonly reason: string }[];
}

/**
 * Applies fixes one after another, re-reading the file between them so each fix sees the
 * previous one's result (`activation-relu` then `init-he` targets the new ReLU layers).
 */
export function applyFixes(text: string, fileName: string, modelName: string, codes: readonly FixCode[], parseOptions: ParseOptions = {}): AppliedFixes {
  let current = text;
  const applied: FixCode[] = [];
  const skipped: { code: FixCode; reason: string }[] = [];
  for (const code of codes) {
    const graph = parseSource(current, fileName, parseOptions).models.find((m) => m.name === modelName);
    if (!graph) {
      skipped.push({ code, reason: `model \`${modelName}\` is no longer found in the file` });
      continue;
    }
    const plan = planFix(current, fileName, graph, code);
    if ('unavailable' in plan) {
      skipped.push({ code, reason: plan.unavailable });
      continue;
    }
    current = applyEdits(current, plan.edits);
    applied.push(code);
  }
  return { text: current, applied, skipped };
}
