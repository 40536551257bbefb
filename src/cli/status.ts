/** The CLI's exit statuses (README "Command line", `--help`). Pure, so tests import it. */
import type { FileReport, Report } from '../core/report';

export const EXIT_OK = 0;
/** Findings of warning or worse. */
export const EXIT_FINDINGS = 1;
/** A usage error or an unreadable file. */
export const EXIT_USAGE = 2;
/**
 * A model was not measured: unresolved, a failed run, none read from a file that builds one, or
 * a file with a parse error (part of it was not read, so a model in it may be missing or cut).
 */
export const EXIT_UNMEASURED = 3;

/**
 * Exit status of an analysis: 2, 3, 1, 0, the first that applies. A partial measurement (time
 * budget) counts as measured: its findings decide between 1 and 0. With `--static` no model has
 * a run, so only unresolved and untrainable models, files without a model and parse errors give 3.
 * A parse problem of severity `error` (a syntax error, a file too deep to read, an internal
 * error of the parser) in a file that builds a model gives 3: what was read may not be the
 * model the file builds, so 0 or 1 would report on a model the tool did not see whole.
 */
/**
 * A parse problem of severity `error` in a file that builds a model (models were read from it,
 * or it calls a layer and none was: `noModel`). A file that builds none (a package.json given
 * by a glob) concerns no model, whatever its syntax.
 */
export function hasParseError(file: FileReport): boolean {
  return (file.models.length > 0 || !!file.noModel) && file.problems.some((p) => p.severity === 'error');
}

export function exitStatus(report: Report, unreadable: boolean): number {
  if (unreadable) return EXIT_USAGE;
  const unmeasured = report.files.some(
    (f) => f.noModel || hasParseError(f) || f.problems.some((p) => p.leftOut) || f.models.some((m) => m.measurement?.status === 'unresolved' || m.measurement?.status === 'failed'),
  );
  if (unmeasured) return EXIT_UNMEASURED;
  const hasFindings = report.files.some((f) => f.models.some((m) => m.findings.some((x) => x.severity !== 'info')));
  return hasFindings ? EXIT_FINDINGS : EXIT_OK;
}
