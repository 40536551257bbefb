/** Every command of the extension: ids in one place, each registered with its handler. */
import * as vscode from 'vscode';
import type { FixCode } from '../core/fixes/index';
import { blocksTraining, holeAdvice } from '../core/holes';
import type { ModelGraph } from '../core/ir';
import { isPythonFile, modelLibrary } from '../core/languages';
import { measuredOutcome, sourceReport, verifyEntry, type ModelEntry } from '../core/pipeline/index';
import { formatReport, type Report } from '../core/report';
import type { PanelState } from '../shared/panelProtocol';
import type { Verification } from '../core/pipeline/index';
import type { RunSummary } from '../training/protocol';
import { escapeMarkdown, inlineCode, tableCell } from '../core/markdown';
import type { AnalysisController } from './analysisController';
import type { AnalysisStore } from './analysisStore';
import { readSettings, runOptions } from './config';
import { modelKey, promptForHoles, saveAsAnnotation, type HoleValues } from './holeValues';
import type { ModelIndex } from './modelIndex';
import { registerShowModelsCommand } from './showModelsCommand';

export const COMMANDS = {
  analyze: 'gradientLens.analyze',
  analyzeAll: 'gradientLens.analyzeAll',
  stop: 'gradientLens.stop',
  verifyFixes: 'gradientLens.verifyFixes',
  exportReport: 'gradientLens.exportReport',
  showLog: 'gradientLens.showLog',
  showModels: 'gradientLens.showModels',
  showPanel: 'gradientLens.showPanel',
  saveHoleValues: 'gradientLens.saveHoleValues',
} as const;

interface Services {
  readonly index: ModelIndex;
  readonly store: AnalysisStore;
  readonly controller: AnalysisController;
  readonly log: vscode.LogOutputChannel;
  readonly holeValues: HoleValues;
  /** Opens (or reveals) the Gradient panel, on a model when given. */
  readonly showPanel: (uri?: vscode.Uri, model?: string, analyzing?: boolean) => void;
  /** Puts a verification's before/after numbers into the panel. */
  readonly showVerification: (uri: vscode.Uri, model: string, verification: NonNullable<PanelState['verification']>) => void;
}

async function documentOf(uri: vscode.Uri | undefined): Promise<vscode.TextDocument | undefined> {
  if (uri instanceof vscode.Uri) return vscode.workspace.openTextDocument(uri);
  return vscode.window.activeTextEditor?.document;
}

/** The model the cursor is in (its creation call or one of its layers), else a pick when there are several. */
async function chooseModel(index: ModelIndex, document: vscode.TextDocument, name?: string): Promise<ModelGraph | undefined> {
  const models = index.get(document)?.parsed.models ?? [];
  if (models.length === 0) {
    void vscode.window.showInformationMessage(`Gradient Lens: no ${modelLibrary(document.fileName)} model found in this file.`);
    return undefined;
  }
  if (name !== undefined) return models.find((m) => m.name === name);
  if (models.length === 1) return models[0];
  const editor = vscode.window.activeTextEditor;
  if (editor?.document === document) {
    const offset = document.offsetAt(editor.selection.active);
    const inside = models.find((m) => [m.range, ...m.layers.map((l) => l.range)].some((r) => r.start <= offset && offset <= r.end));
    if (inside) return inside;
  }
  const picked = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: `${m.layers.length} layers`, detail: `line ${document.positionAt(m.range.start).line + 1}`, model: m })),
    { title: 'Gradient Lens: which model?' },
  );
  return picked?.model;
}

/** The same report as the CLI's `--format json`, from the index and the current measurements. */
function report(services: Services, document: vscode.TextDocument): Report {
  const entry = services.index.get(document);
  if (!entry) return { files: [] };
  return {
    files: [
      sourceReport(vscode.workspace.asRelativePath(document.uri), entry.source, (modelEntry) => {
        const measured = services.store.get(document.uri, modelEntry.model.name);
        return measured ? measuredOutcome(modelEntry, measured.summary, measured.analysis) : {};
      }),
    ],
  };
}

function csv(reportValue: Report): string {
  const rows = [['file', 'model', 'layer', 'type', 'activation', 'line', 'params', 'gradNorm']];
  for (const file of reportValue.files) {
    for (const model of file.models) {
      for (const layer of model.layers) {
        rows.push([file.file, model.name, layer.name, layer.type, layer.activation ?? '', String(layer.line), String(layer.params ?? ''), layer.gradNorm === null ? '' : String(layer.gradNorm)]);
      }
    }
  }
  return `${rows.map((r) => r.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')).join('\n')}\n`;
}

function markdown(reportValue: Report): string {
  const out: string[] = ['# Gradient Lens report', ''];
  for (const file of reportValue.files) {
    for (const model of file.models) {
      // Names, paths and messages are user text: escaped (see core/markdown.ts).
      out.push(`## ${inlineCode(model.name)} in ${escapeMarkdown(file.file)} (line ${model.line})`, '');
      if (model.measurement?.message) out.push(`${model.measurement.status}: ${escapeMarkdown(model.measurement.message)}`, '');
      out.push('| layer | type | activation | line | params | grad norm |', '| --- | --- | --- | --- | --- | --- |');
      for (const layer of model.layers) {
        out.push(`| ${tableCell(layer.name)} | ${tableCell(layer.type)} | ${tableCell(layer.activation ?? '')} | ${layer.line} | ${layer.params ?? '?'} | ${layer.gradNorm === null ? '-' : layer.gradNorm.toExponential(2)} |`);
      }
      out.push('');
      for (const finding of model.findings) out.push(`- **${finding.code}** (${finding.severity}, line ${finding.line}): ${escapeMarkdown(finding.message)} Fixes: ${finding.fixes.join(', ') || 'none'}.`);
      out.push('');
    }
  }
  return out.join('\n');
}

/**
 * Models ready to train: a model with holes (values the parser cannot know) gets a prompt per
 * hole; answers are remembered for the file and the file is re-read with them. A model that
 * still has holes is left out, with advice on how to fill them.
 */
async function fillHoles(services: Services, document: vscode.TextDocument, models: readonly ModelGraph[]): Promise<ModelEntry[]> {
  const entryOf = (name: string): ModelEntry | undefined => services.index.get(document)?.source.entries.find((e) => e.model.name === name);
  // Holes that decide no layer or shape do not stop a run: their documented defaults stand in.
  const blocked = models.filter((m) => !entryOf(m.name)?.measurable());
  const entered: string[] = [];
  for (const model of blocked) {
    const holes = (model.holes ?? []).filter(blocksTraining);
    if (!holes.length) continue;
    const values = await promptForHoles({ ...model, holes }, services.holeValues.get(document.uri, modelKey(model)), document.fileName);
    if (!values) continue;
    await services.holeValues.set(document.uri, modelKey(model), values);
    entered.push(model.name);
  }
  if (blocked.length) services.index.refresh(document);
  const ready: ModelEntry[] = [];
  for (const model of models) {
    const entry = entryOf(model.name);
    if (entry?.measurable()) ready.push(entry);
    else if (entry) {
      const advice = holeAdvice(entry.model, isPythonFile(document.fileName) ? 'py' : 'ts');
      void vscode.window.showWarningMessage(`Gradient Lens: ${advice ?? `\`${model.name}\` cannot be measured.`}`);
    }
  }
  if (entered.length) {
    void vscode.window
      .showInformationMessage('Gradient Lens remembers the values you entered for this model. Write them into the code as an annotation?', 'Save as Annotation')
      .then(async (choice) => {
        if (!choice) return;
        for (const name of entered) await saveAsAnnotation(services.holeValues, document, name);
      });
  }
  return ready;
}

export function registerCommands(services: Services): vscode.Disposable[] {
  const { index, store, controller, log } = services;
  return [
    registerShowModelsCommand(log),
    vscode.commands.registerCommand(COMMANDS.analyze, async (uri?: vscode.Uri, modelName?: string) => {
      const document = await documentOf(uri);
      if (!document) return;
      const chosen = await chooseModel(index, document, modelName);
      if (!chosen) return;
      const [entry] = await fillHoles(services, document, [chosen]);
      if (!entry) return;
      // The run starts first: the panel's page loads while the worker starts, never before it.
      const running = controller.analyze(document, [entry]);
      services.showPanel(document.uri, entry.model.name, true);
      await running;
    }),
    vscode.commands.registerCommand(COMMANDS.saveHoleValues, async (uri?: vscode.Uri, modelName?: string) => {
      const document = await documentOf(uri);
      const model = document ? await chooseModel(index, document, modelName) : undefined;
      if (!document || !model) return;
      if (!(await saveAsAnnotation(services.holeValues, document, model.name))) {
        void vscode.window.showInformationMessage(`Gradient Lens: no entered values to save for \`${model.name}\`.`);
      }
    }),
    vscode.commands.registerCommand(COMMANDS.showPanel, async (uri?: vscode.Uri, modelName?: string) => {
      const document = await documentOf(uri);
      const model = document ? await chooseModel(index, document, modelName) : undefined;
      services.showPanel(document?.uri, model?.name);
    }),
    vscode.commands.registerCommand(COMMANDS.analyzeAll, async (uri?: vscode.Uri) => {
      const document = await documentOf(uri);
      const models = document ? index.get(document)?.parsed.models ?? [] : [];
      if (!document || models.length === 0) {
        void vscode.window.showInformationMessage(`Gradient Lens: no ${document ? modelLibrary(document.fileName) : 'tfjs'} model found in this file.`);
        return;
      }
      const ready = await fillHoles(services, document, models);
      if (ready.length) await controller.analyze(document, ready);
    }),
    vscode.commands.registerCommand(COMMANDS.stop, () => controller.stop()),
    vscode.commands.registerCommand(COMMANDS.showLog, () => log.show()),
    vscode.commands.registerCommand(COMMANDS.exportReport, async (uri?: vscode.Uri) => {
      const document = await documentOf(uri);
      if (!document) return;
      const format = await vscode.window.showQuickPick(['JSON', 'CSV', 'Markdown'], { title: 'Gradient Lens: export the report as' });
      if (!format) return;
      const value = report(services, document);
      const extension = format === 'JSON' ? 'json' : format === 'CSV' ? 'csv' : 'md';
      const target = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(document.uri.fsPath.replace(/\.[^.]+$/, `.gradient-lens.${extension}`)),
        filters: { [format]: [extension] },
      });
      if (!target) return;
      const text = format === 'JSON' ? `${JSON.stringify(value, null, 2)}\n` : format === 'CSV' ? csv(value) : markdown(value);
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
      log.info(`Report written to ${target.fsPath}\n${formatReport(value)}`);
      void vscode.window.showInformationMessage(`Gradient Lens: report written to ${vscode.workspace.asRelativePath(target)}.`);
    }),
    vscode.commands.registerCommand(COMMANDS.verifyFixes, async (uri?: vscode.Uri, modelName?: string, codes?: FixCode[]) => {
      const document = await documentOf(uri);
      if (!document) return;
      const model = await chooseModel(index, document, modelName);
      if (!model) return;
      const source = index.get(document)?.source;
      const entry = source?.entries.find((e) => e.model.name === model.name);
      const stored = store.get(document.uri, model.name);
      const measured = entry && stored ? measuredOutcome(entry, stored.summary, stored.analysis).measured : undefined;
      const settings = readSettings(document.uri);
      const run = (): Promise<Verification | undefined> =>
        source && entry ? verifyEntry(controller.trainingSession, source, entry, measured, runOptions(settings), settings.thresholds, codes) : Promise.resolve(undefined);
      const verification = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Gradient Lens: verifying the fixes of ${model.name}` }, run);
      if (!verification) {
        void vscode.window.showInformationMessage(`Gradient Lens: \`${model.name}\` has no finding with a fix to verify${entry?.measurable() ? '' : ' (values the parser cannot know block it)'}. Run Analyze Gradients first.`);
        return;
      }
      const lines = [
        `# Verified fixes for \`${model.name}\``,
        '',
        `Each fix was applied to a copy of ${vscode.workspace.asRelativePath(document.uri)} (the file is unchanged) and measured on the same data and seed.`,
        `Before: ${verification.before?.analysis.modelVerdict ?? 'not measured'}.`,
        '',
        '| fix | verdict | details |',
        '| --- | --- | --- |',
        ...verification.variants.map((v) => `| ${v.code} | ${v.verdict} | ${v.explanation.replace(/\|/g, '\\|')} |`),
      ];
      const norms = (summary: RunSummary | undefined): Record<string, number> =>
        Object.fromEntries(Object.entries(summary?.layers ?? {}).flatMap(([id, stats]) => (stats.gradNorm === null ? [] : [[id, stats.gradNorm]])));
      services.showVerification(document.uri, model.name, {
        before: norms(verification.before?.summary),
        variants: verification.variants.map((v) => ({ fix: v.code, verdict: v.verdict, explanation: v.explanation, ...(v.after ? { norms: norms(v.after.summary) } : {}) })),
      });
      log.info(lines.join('\n'));
    }),
  ];
}
