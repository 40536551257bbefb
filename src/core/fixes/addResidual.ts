/**
 * The `add-residual` fix: rewrites a sequential model built with `model.add(...)` statements
 * into the functional API, giving every layer whose output has the shape of its input a skip
 * connection (`x = add([x, layer(x)])`). Loops and the rest of the user's code stay as they
 * are; the model keeps its variable name, so `compile`, `fit` and exports keep working.
 * Where that cannot be done safely the fix is not offered, and says why.
 */
import type * as TS from 'typescript';
import type { LayerNode, ModelGraph } from '../ir';
import type { TextEdit } from './edits';
import type { SourceView } from './syntax';

export function sameShape(a: readonly (number | null)[] | undefined, b: readonly (number | null)[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);
}

function uniqueName(text: string, wanted: string): string {
  let name = wanted;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(text); i++) name = `${wanted}${i}`;
  return name;
}

export function planAddResidual(view: SourceView, graph: ModelGraph): { edits: TextEdit[]; title: string } | { unavailable: string } {
  const ts = view.ts;
  if (graph.kind !== 'sequential') return { unavailable: `\`${graph.name}\` already uses the functional API; add skip connections there by hand.` };
  const creation = view.findCall(graph.range);
  const declaration = creation?.parent;
  if (!creation || !declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || creation.arguments.length > 0) {
    return { unavailable: 'Only a model declared as `const model = tf.sequential();` and grown with `model.add(...)` statements can be rewritten.' };
  }
  const variable = declaration.name.text;
  const declarationList = declaration.parent;
  const statement = declarationList.parent;
  if (!ts.isVariableDeclarationList(declarationList) || declarationList.declarations.length !== 1 || !ts.isVariableStatement(statement)) {
    return { unavailable: 'The model must be declared in a statement of its own.' };
  }
  const block = statement.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return { unavailable: 'The model must be declared in a block.' };

  // Every use of the variable after its declaration: `.add(...)` statements first, anything else after.
  const statements = block.statements;
  const start = statements.indexOf(statement as TS.Statement);
  const adds: TS.ExpressionStatement[] = [];
  let lastAddIndex = start;
  let firstOtherUse = Number.POSITIVE_INFINITY;
  const visit = (node: TS.Node, index: number): void => {
    if (ts.isIdentifier(node) && node.text === variable && node !== declaration.name) {
      const access = node.parent;
      const call = access?.parent;
      if (access && ts.isPropertyAccessExpression(access) && access.expression === node && access.name.text === 'add' && call && ts.isCallExpression(call) && ts.isExpressionStatement(call.parent)) {
        adds.push(call.parent);
        lastAddIndex = Math.max(lastAddIndex, index);
      } else {
        firstOtherUse = Math.min(firstOtherUse, index);
      }
    }
    ts.forEachChild(node, (child) => visit(child, index));
  };
  statements.forEach((s, index) => {
    if (index > start) visit(s, index);
  });
  if (adds.length === 0) return { unavailable: `\`${variable}\` gets no layers through \`${variable}.add(...)\` statements.` };
  if (firstOtherUse <= lastAddIndex) {
    return { unavailable: `\`${variable}\` is used before its last \`add\`; the rewrite could change what that code sees.` };
  }

  // Shapes decide where a skip connection fits.
  const layers = graph.layers;
  if (layers.some((l) => !l.outputShape)) return { unavailable: 'Some layer shapes are unknown, so skip connections cannot be placed safely.' };
  const first = layers[0]!;
  const inputShapeRange = first.configRanges.inputShape?.value ?? first.configRanges.batchInputShape?.value;
  if (!first.configRanges.inputShape) return { unavailable: `The first layer needs an \`inputShape\` to build \`tf.input\` from.` };
  const inputShapeText = view.text.slice(inputShapeRange!.start, inputShapeRange!.end);
  const inputOf = (layer: LayerNode): readonly (number | null)[] | undefined => {
    const index = layers.indexOf(layer);
    return index === 0 ? [null, ...(graph.inputShape ?? [])] : layers[index - 1]!.outputShape;
  };
  const residualCalls = new Map<string, boolean>();
  for (const layer of layers) {
    const key = `${layer.range.start}:${layer.range.end}`;
    const fits = sameShape(inputOf(layer), layer.outputShape) && !graph.outputs.includes(layer.id) && layer.type !== 'dropout';
    // A call made in a loop gets a skip only if every iteration fits.
    residualCalls.set(key, (residualCalls.get(key) ?? true) && fits);
  }
  if (![...residualCalls.values()].some(Boolean)) {
    return { unavailable: 'No layer keeps the shape of its input, so there is nowhere to add a skip connection without projections.' };
  }

  const typescript = /\.(ts|tsx|mts|cts)$/i.test(view.file.fileName);
  const cast = typescript ? ` as ${creation.expression.getText(view.file).replace(/\.sequential$/, '')}.SymbolicTensor` : '';
  const tf = creation.expression.getText(view.file).replace(/\.?sequential$/, '');
  const prefix = tf ? `${tf}.` : '';
  if (!tf) return { unavailable: 'Needs tfjs as a namespace (`tf.sequential()`), to spell `tf.input` and `tf.model`.' };
  const input = uniqueName(view.text, `${variable}Input`);
  const x = uniqueName(view.text, 'x');
  const edits: TextEdit[] = [];
  const indent = view.indentOf(statement);
  const modifiers = statement.modifiers?.map((m) => m.getText(view.file)).join(' ');
  const keyword = declarationList.flags & ts.NodeFlags.Const ? 'const' : 'let';
  edits.push({
    range: view.range(statement),
    newText: `const ${input} = ${prefix}input({ shape: ${inputShapeText} });\n${indent}let ${x}${typescript ? `: ${tf}.SymbolicTensor` : ''} = ${input};`,
  });
  let skips = 0;
  for (const add of adds) {
    const call = add.expression as TS.CallExpression;
    const argument = call.arguments[0];
    if (!argument) continue;
    const layerText = argument.getText(view.file);
    const layerCall = ts.isCallExpression(argument) ? argument : undefined;
    const key = layerCall ? `${layerCall.getStart(view.file)}:${layerCall.getEnd()}` : '';
    const apply = `${layerText}.apply(${x})${cast}`;
    const residual = residualCalls.get(key) ?? false;
    if (residual) skips++;
    edits.push({
      range: view.range(add),
      newText: residual ? `${x} = ${prefix}layers.add().apply([${x}, ${apply}])${cast};` : `${x} = ${apply};`,
    });
  }
  const lastAdd = adds.reduce((a, b) => (a.getEnd() > b.getEnd() ? a : b));
  // The model is declared after its last add, in the block of the original declaration.
  const anchor = statements.find((s, index) => index > start && s.getEnd() >= lastAdd.getEnd())!;
  edits.push({
    range: { start: anchor.getEnd(), end: anchor.getEnd() },
    newText: `\n${indent}${modifiers ? `${modifiers} ` : ''}${keyword} ${variable} = ${prefix}model({ inputs: ${input}, outputs: ${x} });`,
  });
  // A function declared to return a Sequential now returns a LayersModel.
  for (let node: TS.Node | undefined = block; node; node = node.parent) {
    if (ts.isFunctionLike(node) && node.type && /\bSequential\b/.test(node.type.getText(view.file))) {
      edits.push({ range: view.range(node.type), newText: node.type.getText(view.file).replace(/\bSequential\b/, 'LayersModel') });
    }
  }
  return { edits, title: `Add skip connections around ${skips} layer call${skips === 1 ? '' : 's'} of \`${variable}\` (functional API)` };
}
