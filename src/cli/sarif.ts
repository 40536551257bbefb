/**
 * The analysis report as SARIF 2.1.0 (OASIS), the format GitHub code scanning uploads
 * (`github/codeql-action/upload-sarif`). One run; one rule per finding code and per way a model
 * can go unmeasured; one result per finding, per unmeasured model and per file that builds a
 * model none was read from, each on its line. Pure: built from the CLI's Report.
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FINDING_CODES } from '../core/analysis/findings';
import type { FileReport, ModelReport, Report } from '../core/report';
import { hasParseError } from './status';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const HELP_BASE = 'https://github.com/gradient-lens/gradient-lens#';

type Level = 'error' | 'warning' | 'note';

interface Rule {
  readonly id: string;
  readonly summary: string;
  readonly help: string;
  readonly level: Level;
  /** README anchor. */
  readonly anchor: string;
}

/** Help per finding code (README "Findings"); a code added later gets a generic text and its README link. */
const FINDING_HELP: Partial<Record<(typeof FINDING_CODES)[number], Omit<Rule, 'id' | 'anchor'>>> = {
  'vanishing-gradient': {
    summary: 'Gradients vanish before they reach the first layers.',
    help: "Measured when the first trainable layer's kernel gradient is below 1e-3 of the output layer's and below 1e-4 in norm (AutoTrainer's thresholds); predicted from 4 or more hidden sigmoid-like layers. Fixes: activation-relu, init-he, insert-batch-norm, add-residual.",
    level: 'warning',
  },
  'exploding-gradient': {
    summary: 'Gradients grow through the layers or during training.',
    help: 'Measured when the first/last kernel-gradient ratio is above 70, when a gradient grows more than 100x during training, or when a value becomes non-finite; predicted when initializers scale the signal up more than 100x over an unnormalized stack. Fixes: clip-gradients, init-glorot, insert-batch-norm.',
    level: 'warning',
  },
  'non-finite-gradient': {
    summary: 'A gradient, weight or the loss became Infinity or NaN.',
    help: 'The message names the step and the layer where a value first stopped being finite. Fixes: clip-gradients, init-glorot, insert-batch-norm.',
    level: 'error',
  },
  'dead-relu': {
    summary: "Most of a ReLU layer's units output zero.",
    help: "70% or more of a ReLU layer's units output zero for every sample of a batch, so they get no gradient. Fixes: activation-leaky-relu, activation-elu, init-he.",
    level: 'warning',
  },
  'saturating-activation': {
    summary: 'Most units of a sigmoid/tanh layer are saturated.',
    help: "More than 50% of a sigmoid/tanh layer's units are saturated (|tanh| > 0.98, sigmoid outside [0.01, 0.99]), where the derivative is near 0. Fixes: activation-relu, insert-batch-norm, init-glorot.",
    level: 'warning',
  },
  'long-sequence-rnn': {
    summary: 'A recurrent layer loses the gradient over its time steps.',
    help: "The gradient w.r.t. the first time step of a recurrent layer's input is below 1e-3 of the last step's (measured), or a simpleRNN reads 100 or more steps (predicted). Fixes: rnn-lstm, rnn-gru.",
    level: 'warning',
  },
  'init-mismatch': {
    summary: 'The kernel initializer does not fit the activation.',
    help: 'Sigmoid/tanh layers with He initialization, or a ReLU stack whose initializers shrink the signal below 1e-2 over the stack. Fixes: init-he, init-glorot.',
    level: 'warning',
  },
  'missing-normalization': {
    summary: 'A deep stack without normalization or skip connections.',
    help: '16 or more weight layers with no normalization and no skip connection. Fixes: insert-batch-norm, add-residual.',
    level: 'note',
  },
  'no-skip-connections': {
    summary: 'Reserved; not emitted yet.',
    help: 'Reserved for a deep model without skip connections.',
    level: 'note',
  },
  'softmax-one-unit': {
    summary: 'Softmax over a single unit is always 1: constant loss, zero gradients.',
    help: 'A softmax output with one unit normalizes to exactly 1, so the loss is constant and every gradient exactly 0. Fixes: output-sigmoid, output-linear, output-units.',
    level: 'error',
  },
  'output-activation-mismatch': {
    summary: 'The output activation does not fit the loss.',
    help: 'A linear/ReLU/tanh output with a cross-entropy loss (clipped predictions get no gradient), several sigmoid outputs with categorical cross-entropy, or a bounded output with a regression loss on targets outside its range. Fixes: output-sigmoid, output-softmax, output-linear.',
    level: 'warning',
  },
  'loss-mismatch': {
    summary: 'The loss does not fit the output.',
    help: 'Categorical cross-entropy on a one-unit output (the loss is always 0), or mean squared/absolute error on a softmax classifier. Fixes: loss-binary-crossentropy, loss-categorical-crossentropy, loss-sparse-categorical-crossentropy, output-units.',
    level: 'warning',
  },
  'layer-after-output': {
    summary: 'A layer after the output activation changes what the loss sees.',
    help: 'Dropout or noise after the output activation (or batch normalization after a softmax/sigmoid output): the loss no longer sees probabilities. Fixes: move-before-output, remove-layer.',
    level: 'warning',
  },
  'relu-before-softmax': {
    summary: 'A ReLU on the logits of a softmax.',
    help: 'A ReLU before a softmax makes every negative logit 0 and gives it no gradient. Fixes: linear-before-softmax, remove-layer.',
    level: 'warning',
  },
  'high-learning-rate': {
    summary: 'The learning rate is far above the optimizer default.',
    help: "Predicted when the learning rate is 100x or more the optimizer's default; measured when it is 10x or more and the run diverged (non-finite values, a growing loss or gradient, ReLU units dying in training). Fix: lower-learning-rate.",
    level: 'warning',
  },
};

function findingHelp(code: (typeof FINDING_CODES)[number]): Omit<Rule, 'id' | 'anchor'> {
  return FINDING_HELP[code] ?? { summary: `Gradient Lens finding \`${code}\`.`, help: `See the README section on \`${code}\` for what it means and its fixes.`, level: 'warning' };
}

const UNMEASURED_RULES: readonly Rule[] = [
  {
    id: 'model-unresolved',
    summary: 'A model depends on values the parser cannot know, so it was not trained.',
    help: 'Fill each value listed in the message with --set name=value or a `# gradient-lens: name=value` / `// gradient-lens: name=value` annotation above the code; the CLI exits 3 until every model is measured.',
    level: 'error',
    anchor: 'values-the-parser-cannot-know',
  },
  {
    id: 'model-not-measured',
    summary: 'A model could not be trained, so its gradients were not measured.',
    help: 'The message says why (a layer tfjs rejects, a shape with a zero or negative dimension, a model too large for memory, a step longer than the time budget...) and is placed on the layer at fault when there is one.',
    level: 'error',
    anchor: 'command-line',
  },
  {
    id: 'no-model-found',
    summary: 'The file builds a model, but none could be read from it.',
    help: 'The file imports TensorFlow.js or Keras and calls a layer or model constructor, yet the parser found no model; see the parse problems of the file for what it could not read.',
    level: 'error',
    anchor: 'what-the-parser-understands',
  },
  {
    id: 'parse-error',
    summary: 'Part of the file could not be read (a syntax error).',
    help: 'The parser met code it could not read (a syntax error, a file nested too deeply, an internal error); the rest of the file was read, but a model in it may be missing or incomplete, so the exit status is 3 until it is fixed.',
    level: 'error',
    anchor: 'command-line',
  },
  {
    id: 'measurement-partial',
    summary: 'A model was measured only in part: its time budget ran out.',
    help: 'The statistics cover the probe and the training steps done before the budget (--time-budget, gradientLens.timeBudgetSeconds) ran out; the message says what is missing.',
    level: 'note',
    anchor: 'command-line',
  },
];

export const SARIF_RULES: readonly Rule[] = [
  ...FINDING_CODES.map((code) => ({ id: code, anchor: code, ...findingHelp(code) })),
  ...UNMEASURED_RULES,
];

const RULE_INDEX = new Map(SARIF_RULES.map((rule, i) => [rule.id, i]));

export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly {
    readonly tool: { readonly driver: Record<string, unknown> & { readonly name: string; readonly rules: readonly Record<string, unknown>[] } };
    readonly results: readonly SarifResult[];
    readonly columnKind: 'utf16CodeUnits';
    readonly originalUriBaseIds?: Readonly<Record<string, { readonly uri: string }>>;
  }[];
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: Level;
  readonly message: { readonly text: string };
  readonly locations: readonly { readonly physicalLocation: { readonly artifactLocation: ArtifactLocation; readonly region: { readonly startLine: number } } }[];
  readonly properties?: Record<string, unknown>;
}

/**
 * The base the relative `uri`s resolve against: the directory the CLI ran in, given once in
 * `run.originalUriBaseIds` (as CodeQL does). SARIF 2.1.0 §3.4.4: a `uri` with a `uriBaseId`
 * SHALL be a relative reference; without one it should be absolute.
 */
export const SRCROOT = '%SRCROOT%';

/** Where a result is: `{uri, uriBaseId}` for a file under the base, an absolute `file://` URI otherwise. */
export type ArtifactLocation = { readonly uri: string; readonly uriBaseId?: string };

/**
 * The CLI names files under its directory relatively and others by absolute path (paths.ts):
 * the first become a URI reference (forward slashes, each segment percent-encoded) on
 * %SRCROOT%, the second a `file://` URI.
 */
function locationOf(file: string): ArtifactLocation {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(/[\\/]/).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function result(ruleId: string, level: Level, text: string, file: string, line: number, properties?: Record<string, unknown>): SarifResult {
  return {
    ruleId,
    ruleIndex: RULE_INDEX.get(ruleId)!,
    level,
    message: { text },
    locations: [{ physicalLocation: { artifactLocation: locationOf(file), region: { startLine: Math.max(1, line) } } }],
    ...(properties ? { properties } : {}),
  };
}

function modelResults(file: FileReport, model: ModelReport): SarifResult[] {
  const results: SarifResult[] = model.findings.map((f) =>
    result(f.code, f.severity === 'info' ? 'note' : f.severity, `${model.name}: ${f.message}`, file.file, f.line, { model: model.name, layers: f.layers, fixes: f.fixes, source: f.source }),
  );
  const m = model.measurement;
  if (m?.status === 'unresolved') {
    results.push(result('model-unresolved', 'error', `Model \`${model.name}\` was not measured: ${m.message ?? 'it has values the parser cannot know.'}`, file.file, model.holes?.[0]?.line ?? model.line, { model: model.name }));
  } else if (m?.status === 'failed') {
    results.push(result('model-not-measured', 'error', `Model \`${model.name}\` was not measured: ${m.message ?? 'the run failed.'}`, file.file, m.line ?? model.line, { model: model.name, ...(m.layer ? { layer: m.layer } : {}) }));
  } else if (m?.partial) {
    results.push(result('measurement-partial', 'note', `Model \`${model.name}\` was measured in part: ${m.reason ?? 'the run ended early'}.`, file.file, model.line, { model: model.name }));
  }
  return results;
}

/**
 * The report as one SARIF 2.1.0 log. `version` is the tool's (package.json); `srcRoot` the
 * absolute directory relative file names start from (the CLI's working directory).
 */
export function toSarif(report: Report, version: string, srcRoot: string): SarifLog {
  const results: SarifResult[] = [];
  for (const file of report.files) {
    if (file.noModel) results.push(result('no-model-found', 'error', file.noModel.message, file.file, file.noModel.line));
    if (hasParseError(file)) for (const problem of file.problems) if (problem.severity === 'error') results.push(result('parse-error', 'error', problem.message, file.file, problem.line));
    for (const model of file.models) results.push(...modelResults(file, model));
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Gradient Lens',
            version,
            informationUri: 'https://github.com/gradient-lens/gradient-lens',
            rules: SARIF_RULES.map((rule) => ({
              id: rule.id,
              name: rule.id.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: rule.summary },
              fullDescription: { text: rule.help },
              help: { text: rule.help },
              helpUri: `${HELP_BASE}${rule.anchor}`,
              defaultConfiguration: { level: rule.level },
            })),
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
        // §3.14.14: the base's uri is absolute and ends with a slash.
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(srcRoot.endsWith('/') ? srcRoot : `${srcRoot}/`).href } },
      },
    ],
  };
}
