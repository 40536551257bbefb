/** The CLI's exit statuses (README "Command line", `--help`). Pure, so tests import it. */
import type { Report } from '../core/report';

export const EXIT_OK = 0;
/** Findings of warning or worse. */
export const EXIT_FINDINGS = 1;
/** A usage error or an unreadable file. */
export const EXIT_USAGE = 2;
/** A model was not measured: unresolved, a failed run, or none read from a file that builds one. */
export const EXIT_UNMEASURED = 3;

/**
 * Exit status of an analysis: 2, 3, 1, 0, the first that applies. A partial measurement (time
 * budget) counts as measured: its findings decide between 1 and 0. With `--static` no model has
 * a run, so only unresolved models and files without a model give 3.
 */
export function exitStatus(report: Report, unreadable: boolean): number {
  if (unreadable) return EXIT_USAGE;
  const unmeasured = report.files.some((f) => f.noModel || f.models.some((m) => m.measurement?.status === 'unresolved' || m.measurement?.status === 'failed'));
  if (unmeasured) return EXIT_UNMEASURED;
  const hasFindings = report.files.some((f) => f.models.some((m) => m.findings.some((x) => x.severity !== 'info')));
  return hasFindings ? EXIT_FINDINGS : EXIT_OK;
}
