/**
 * Checks a value given from outside the file (`--set name=value`, a value typed in the editor's
 * prompt) before any file is read: it must be one complete expression of the file's language,
 * or it would reach the front end as an annotation that is "not an expression", reported on
 * line 1 of a file that never contained it.
 */
import { pythonParser } from '../python/lezerParser';
import { hasError, kids, FILL_NAME } from '../python/syntax';
import { loadTypeScript } from '../parse/index';
import { splitFills } from './annotations';
import { HOLE_NAME } from './holeNames';

/** The language a value is read in: TS/JS (`ts`) or Python (`py`). */
export type FillLanguage = 'ts' | 'py';

const LANGUAGE_NAME: Record<FillLanguage, string> = { ts: 'TypeScript/JavaScript', py: 'Python' };

/**
 * Why `expression` cannot be the value of `name` in `language`, or undefined when it can.
 * Accepted: exactly one expression the front end parses without a syntax error (`[4]`, `'cnn'`,
 * `(28, 28, 1)` in Python). Refused: an empty value, a syntax error (`[4`), several statements
 * (`4; x`), and a value holding `other=` that the annotation syntax would read as a second
 * value (`dict(units=3)`: annotations split at each `name=`).
 */
export function fillValueProblem(name: string, expression: string, language: FillLanguage): string | undefined {
  const text = expression.trim();
  const lang = LANGUAGE_NAME[language];
  if (!text) return 'the value is empty';
  const entries = splitFills(`${name}=${text}`, language === 'py' ? FILL_NAME : HOLE_NAME);
  if (entries.length !== 1 || entries[0]!.name !== name) {
    const second = entries.find((e, i) => i > 0 || e.name !== name);
    return `the value holds \`${second?.name ?? '?'}=\`, which would be read as a second value (give each value its own --set)`;
  }
  if (entries[0]!.expression !== text) return `a trailing comma is not part of a value`;
  return language === 'py' ? pythonProblem(text, lang) : tsProblem(text, lang);
}

function tsProblem(text: string, lang: string): string | undefined {
  const ts = loadTypeScript();
  // Parenthesized, as the TS front end reads annotation values (`{a: 1}` is an object, not a block).
  const file = ts.createSourceFile('value.ts', `(${text})`, ts.ScriptTarget.Latest, true);
  const diagnostics = (file as unknown as { parseDiagnostics?: readonly { messageText: unknown }[] }).parseDiagnostics ?? [];
  const statement = file.statements[0];
  if (diagnostics.length) {
    const first = diagnostics[0]!.messageText;
    return `\`${text}\` is not a complete ${lang} expression (${typeof first === 'string' ? first.replace(/\.$/, '') : 'syntax error'})`;
  }
  if (file.statements.length !== 1 || !statement || !ts.isExpressionStatement(statement)) return `\`${text}\` is not one ${lang} expression`;
  return undefined;
}

function pythonProblem(text: string, lang: string): string | undefined {
  const top = pythonParser().parse(text).topNode;
  const statements = kids(top);
  if (hasError(top)) return `\`${text}\` is not a complete ${lang} expression (syntax error)`;
  if (statements.length !== 1 || statements[0]!.name !== 'ExpressionStatement') return `\`${text}\` is not one ${lang} expression`;
  return undefined;
}
