/**
 * The root-cause corpus (test/fixtures/verdicts): buggy programs, each with the faulty line marked
 * `// bug: <finding code> <first fix>` (or `# bug: ...`), and their fixed twins. Analysed as the
 * CLI does (static rules, optionally a measured run, merged; only applicable fixes listed), then
 * judged: a buggy program is caught when a warning or error with the expected code sits on the
 * marked line and lists the expected fix first; a fixed twin must get no warning or error.
 * Shared by a unit test (static part) and the benchmark (static + measured).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeFindings, type Finding } from '../../src/core/analysis/findings';
import { measuredFindings } from '../../src/core/analysis/measuredRules';
import { staticFindings } from '../../src/core/analysis/staticRules';
import type { ModelGraph } from '../../src/core/ir';
import { fileReport, type FindingReport } from '../../src/core/report';
import { parseSource } from '../../src/core/source';
import type { RunSummary } from '../../src/training/protocol';

export interface Expected {
  readonly line: number;
  readonly code: string;
  readonly fix: string;
}

export interface VerdictRow {
  readonly file: string;
  readonly buggy: boolean;
  readonly expected?: Expected;
  /** Warnings and errors, as reported (line, code, applicable fixes). */
  readonly flagged: readonly FindingReport[];
  /** Buggy: the expected finding is on the marked line with the expected first fix. */
  readonly caught: boolean;
  /** Buggy: some warning or error was raised (maybe elsewhere or with another first fix). */
  readonly anyFlag: boolean;
  readonly measured: boolean;
}

/** Reads `bug: <code> <fix>` from the marked line of a buggy program. */
export function expectation(text: string): Expected | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /(?:\/\/|#)\s*bug:\s*([\w-]+)\s+([\w-]+)/.exec(lines[i]!);
    if (match) return { line: i + 1, code: match[1]!, fix: match[2]! };
  }
  return undefined;
}

export type Measure = (model: ModelGraph) => Promise<RunSummary | undefined>;

export async function evaluateVerdictCorpus(root: string, measure?: Measure): Promise<VerdictRow[]> {
  const rows: VerdictRow[] = [];
  for (const kind of ['buggy', 'fixed'] as const) {
    const dir = join(root, kind);
    for (const file of readdirSync(dir).filter((f) => /\.(ts|py)$/.test(f)).sort()) {
      const text = readFileSync(join(dir, file), 'utf8');
      const parsed = parseSource(text, file);
      const model = parsed.models[0];
      if (!model) throw new Error(`${kind}/${file}: no model found`);
      const predicted = staticFindings(model);
      let findings: Finding[] = predicted;
      let measured = false;
      const summary = measure ? await measure(model) : undefined;
      if (summary) {
        findings = mergeFindings(predicted, measuredFindings(model, summary).findings, new Set([model.name]));
        measured = true;
      }
      const report = fileReport(file, text, { models: [model], problems: [] }, (m) => (m === model ? { findings } : {}));
      const flagged = report.models[0]!.findings.filter((f) => f.severity !== 'info');
      const expected = kind === 'buggy' ? expectation(text) : undefined;
      if (kind === 'buggy' && !expected) throw new Error(`buggy/${file}: no \`bug:\` marker`);
      const caught = !!expected && flagged.some((f) => f.line === expected.line && f.code === expected.code && f.fixes[0] === expected.fix);
      rows.push({ file: `${kind}/${file}`, buggy: kind === 'buggy', ...(expected ? { expected } : {}), flagged, caught, anyFlag: flagged.length > 0, measured });
    }
  }
  return rows;
}

/** The confusion table: buggy caught / flagged elsewhere / missed, fixed twins clean / flagged. */
export function confusion(rows: readonly VerdictRow[]): { caught: number; wrongPlaceOrFix: number; missed: number; buggy: number; fixedClean: number; fixedFlagged: number; fixed: number } {
  const buggy = rows.filter((r) => r.buggy);
  const fixed = rows.filter((r) => !r.buggy);
  return {
    buggy: buggy.length,
    caught: buggy.filter((r) => r.caught).length,
    wrongPlaceOrFix: buggy.filter((r) => !r.caught && r.anyFlag).length,
    missed: buggy.filter((r) => !r.anyFlag).length,
    fixed: fixed.length,
    fixedClean: fixed.filter((r) => !r.anyFlag).length,
    fixedFlagged: fixed.filter((r) => r.anyFlag).length,
  };
}
