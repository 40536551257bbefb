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

/**
 * A string that reaches the side of a string test none of `literals` takes (the `else` of
 * `kind === 'a'`, `default:` of a switch, `!kind.match('lstm')`): equal to, containing, starting
 * or ending with, and matched by none of them. Undefined when no candidate is clear of them all.
 */
export function otherString(literals: readonly string[]): string | undefined {
  const clear = (candidate: string): boolean =>
    literals.every((literal) => {
      if (literal === '' || candidate.includes(literal)) return false;
      try {
        return !new RegExp(literal).test(candidate);
      } catch {
        return true;
      }
    });
  return ['other', 'none', 'unknown', 'z9'].find(clear);
}

/** The label of the run with `otherString`: `other than 'a'`, `other than 'a', 'b'`, `other than the 5 strings`. */
export function otherLabel(literals: readonly string[]): string {
  return literals.length <= 2 ? `other than ${literals.map((l) => `'${l}'`).join(', ')}` : `other than the ${literals.length} strings`;
}

/**
 * Access chains whose string test has a side no literal names that does something: an `else`
 * (not `else if`), the false side of `?:`, a switch's `default:` clause. A side that only throws
 * or breaks builds nothing, and a switch without `default:` only skips its cases, so neither
 * counts: only these chains get the run with `otherString`.
 */
export function chainsWithOtherSide(ts: typeof TS, file: TS.SourceFile, root: TS.Node): Set<string> {
  const found = new Set<string>();
  const does = (statements: readonly TS.Statement[]): boolean =>
    statements.some((s) => !ts.isThrowStatement(s) && !ts.isBreakStatement(s) && !ts.isEmptyStatement(s) && !(ts.isBlock(s) && !does(s.statements)));
  const addTested = (condition: TS.Node): void => {
    for (const chain of stringComparisons(ts, file, condition).keys()) found.add(chain);
  };
  const visit = (node: TS.Node): void => {
    if (ts.isIfStatement(node) && node.elseStatement && !ts.isIfStatement(node.elseStatement) && does([node.elseStatement])) addTested(node.expression);
    else if (ts.isConditionalExpression(node)) addTested(node.condition);
    else if (ts.isSwitchStatement(node)) {
      const fallback = node.caseBlock.clauses.find((c) => ts.isDefaultClause(c));
      const chain = accessChain(skipOuterExpressions(ts, node.expression).getText(file));
      if (fallback && chain !== undefined && does(fallback.statements)) found.add(chain);
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}
