/**
 * The `clip-gradients` fix. tfjs optimizers have no `clipnorm` option, but `model.fit` calls
 * `optimizer.minimize`, which calls `optimizer.applyGradients`: wrapping that method on the
 * optimizer instance clips every update while the user's training code stays as it is.
 * The helper is added to the file once; the parser recognises it by name.
 */
import type { ModelGraph } from '../ir';
import type { TextEdit } from './edits';
import type { SourceView } from './syntax';

export { CLIP_HELPER_NAME } from '../ir';
import { CLIP_HELPER_NAME } from '../ir';
export const DEFAULT_CLIP_NORM = 1;

/** What tfjs builds for an optimizer given by name (tfjs-layers `getOptimizer`). */
const STRING_OPTIMIZERS: Readonly<Record<string, string>> = {
  sgd: 'sgd(0.01)',
  adam: 'adam(0.001)',
  adagrad: 'adagrad(0.01)',
  adadelta: 'adadelta(1, 0.95)',
  adamax: 'adamax(0.002)',
  rmsprop: 'rmsprop(0.001)',
};

function helperSource(tf: string, typescript: boolean): string {
  const t = (annotation: string): string => (typescript ? annotation : '');
  return `
/**
 * Gradient clipping by global norm, added by Gradient Lens (clip-gradients). tfjs optimizers
 * have no clipnorm option; this scales each update by min(1, maxNorm / ||g||) before the
 * optimizer applies it, so model.fit and custom loops keep working unchanged.
 */
function ${CLIP_HELPER_NAME}${t(`<T extends ${tf}.Optimizer>`)}(optimizer${t(': T')}, maxNorm${t(': number')})${t(': T')} {
  const applyGradients = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (gradients${t(`: ${tf}.NamedTensorMap | { name: string; tensor: ${tf}.Tensor }[]`)}) => {
    const entries${t(`: [string, ${tf}.Tensor][]`)} = Array.isArray(gradients)
      ? gradients.map((g)${t(`: [string, ${tf}.Tensor]`)} => [g.name, g.tensor])
      : Object.entries(gradients);
    const clipped = ${tf}.tidy(() => {
      const norm = ${tf}.sqrt(${tf}.addN(entries.map(([, g]) => ${tf}.sum(${tf}.square(g)))));
      const scale = ${tf}.minimum(1, ${tf}.div(maxNorm, ${tf}.maximum(norm, 1e-12)));
      const result${t(`: ${tf}.NamedTensorMap`)} = {};
      for (const [name, g] of entries) result[name] = ${tf}.mul(g, scale);
      return result;
    });
    applyGradients(clipped);
    ${tf}.dispose(Object.values(clipped));
  };
  return optimizer;
}
`;
}

/** The identifier the file binds the whole tfjs namespace to (`tf` in `import * as tf`). */
function tfNamespace(view: SourceView): { name: string; after: number } | undefined {
  const ts = view.ts;
  let name: string | undefined;
  let after = 0;
  for (const statement of view.file.statements) {
    if (ts.isImportDeclaration(statement)) {
      after = statement.getEnd();
      const module = ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : '';
      if (!module.startsWith('@tensorflow/tfjs')) continue;
      const clause = statement.importClause;
      if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) name ??= clause.namedBindings.name.text;
      else if (clause?.name) name ??= clause.name.text;
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require') {
          after = statement.getEnd();
          const arg = init.arguments[0];
          if (arg && ts.isStringLiteral(arg) && arg.text.startsWith('@tensorflow/tfjs') && ts.isIdentifier(declaration.name)) name ??= declaration.name.text;
        }
      }
    }
  }
  return name ? { name, after } : undefined;
}

export function planClipGradients(view: SourceView, graph: ModelGraph): { edits: TextEdit[]; title: string } | { unavailable: string } {
  const compile = graph.compile;
  if (!compile) return { unavailable: `\`${graph.name}\` is not compiled in this file, so there is no optimizer to clip.` };
  const optimizerRange = compile.configRanges.optimizer?.value;
  if (!optimizerRange) return { unavailable: `The compile call of \`${graph.name}\` has no \`optimizer\` property to clip.` };
  const optimizerText = view.text.slice(optimizerRange.start, optimizerRange.end);
  if (optimizerText.startsWith(`${CLIP_HELPER_NAME}(`)) return { unavailable: `The optimizer of \`${graph.name}\` is already clipped.` };
  const namespace = tfNamespace(view);
  if (!namespace) return { unavailable: 'Clipping needs tfjs imported as a namespace (`import * as tf from ...`) to write the helper with.' };
  let optimizerExpression = optimizerText;
  if (typeof compile.optimizer === 'string') {
    const factory = STRING_OPTIMIZERS[compile.optimizer.toLowerCase()];
    if (!factory) return { unavailable: `Unknown optimizer name '${compile.optimizer}'.` };
    optimizerExpression = `${namespace.name}.train.${factory}`;
  }
  const edits: TextEdit[] = [{ range: optimizerRange, newText: `${CLIP_HELPER_NAME}(${optimizerExpression}, ${DEFAULT_CLIP_NORM})` }];
  const alreadyDefined = new RegExp(`function\\s+${CLIP_HELPER_NAME}\\b`).test(view.text);
  if (!alreadyDefined) {
    const typescript = /\.(ts|tsx|mts|cts)$/i.test(view.file.fileName);
    edits.push({ range: { start: namespace.after, end: namespace.after }, newText: `\n${helperSource(namespace.name, typescript)}` });
  }
  return { edits, title: `Clip gradients of \`${graph.name}\` to global norm ${DEFAULT_CLIP_NORM}` };
}
