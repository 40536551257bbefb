/**
 * `gradient-lens`: the terminal and CI front end over the same core as the extension.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseModels } from '../core/parse/index';
import { fileReport, formatReport, type FileReport, type Report } from '../core/report';
import { parseArgs, USAGE, UsageError, type AnalyzeOptions } from './args';

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

async function analyze(options: AnalyzeOptions): Promise<number> {
  const files: FileReport[] = [];
  let unreadable = false;
  for (const file of options.files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      process.stderr.write(`gradient-lens: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      unreadable = true;
      continue;
    }
    const parsed = parseModels(text, file);
    files.push(fileReport(relative(process.cwd(), file) || file, text, parsed, () => ({ measurement: { status: 'static' } })));
  }
  const report: Report = { files };
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  if (unreadable) return EXIT_USAGE;
  const hasFindings = files.some((f) => f.models.some((m) => m.findings.some((x) => x.severity !== 'info')));
  return hasFindings ? EXIT_FINDINGS : EXIT_OK;
}

async function main(argv: readonly string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`gradient-lens: ${error.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (options.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  return analyze(options);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gradient-lens: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = EXIT_USAGE;
  },
);
