/**
 * Which names the code compares with string literals (`kind === 'lstm'`, `case 'gru':`,
 * `kind.startsWith('bi')`): such a string picks the architecture, so an unknown one splits the
 * model into one run per string. Pure syntax scans; no interpreter state.
 */
import type * as TS from 'typescript';
import { accessChain, skipOuterExpressions, STRING_TESTS } from './jsSemantics';

/** The access chains `node` compares with string literals, in source order. */
export function comparedChains(ts: typeof TS, file: TS.SourceFile, node: TS.Node): string[] {
  // A switch's subject is its expression; an `if` condition is walked for comparisons.
  if (ts.isSwitchStatement(node.parent) && node.parent.expression === node) {
    const chain = accessChain(node.getText(file));
    return chain ? [chain] : [];
  }
  return [...stringComparisons(ts, file, node).keys()];
}

/** Access chains compared with string literals under `root`, each with its literals in source order. */
export function stringComparisons(ts: typeof TS, file: TS.SourceFile, root: TS.Node): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const note = (subject: TS.Node, literal: TS.Node): void => {
    if (!ts.isStringLiteralLike(literal)) return;
    const chain = ts.isIdentifier(subject) || ts.isPropertyAccessExpression(subject) || ts.isElementAccessExpression(subject) ? accessChain(subject.getText(file)) : undefined;
    if (chain === undefined) return;
    const list = found.get(chain) ?? [];
    if (!list.includes(literal.text)) list.push(literal.text);
    found.set(chain, list);
  };
  const equality = new Set([ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken]);
  const visit = (node: TS.Node): void => {
    if (ts.isBinaryExpression(node) && equality.has(node.operatorToken.kind)) {
      note(skipOuterExpressions(ts, node.left), node.right);
      note(skipOuterExpressions(ts, node.right), node.left);
    } else if (ts.isSwitchStatement(node)) {
      for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause)) note(skipOuterExpressions(ts, node.expression), clause.expression);
    } else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && STRING_TESTS.has(node.expression.name.text) && node.arguments[0]) {
      note(skipOuterExpressions(ts, node.expression.expression), node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
