import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const folder = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
const file = (name: string): vscode.Uri => vscode.Uri.joinPath(folder(), name);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function open(name: string): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument(file(name));
  return vscode.window.showTextDocument(document);
}

/** Gradient Lens diagnostics of a file, once `ready` says they are there. */
async function diagnostics(uri: vscode.Uri, ready: (d: vscode.Diagnostic[]) => boolean, timeoutMs = 60_000): Promise<vscode.Diagnostic[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ours = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Gradient Lens');
    if (ready(ours)) return ours;
    if (Date.now() > deadline) throw new Error(`timed out; diagnostics: ${JSON.stringify(ours.map((d) => [codeOf(d), d.range.start.line + 1, d.message.slice(0, 60)]))}`);
    await sleep(200);
  }
}

function codeOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

/** Lines a finding points at: its diagnostic's line and its related "also" layers (one diagnostic per finding). */
const lines = (ds: vscode.Diagnostic[], code: string): number[] =>
  [...new Set(ds.filter((d) => codeOf(d) === code).flatMap((d) => [d.range.start.line + 1, ...(d.relatedInformation ?? []).filter((r) => r.message.startsWith('also ')).map((r) => r.location.range.start.line + 1)]))].sort((a, b) => a - b);

describe('Gradient Lens in the extension host', () => {
  before(async () => {
    const extension = vscode.extensions.all.find((e) => e.packageJSON.name === 'gradient-lens');
    assert.ok(extension, 'the extension is installed');
    await open('deep-sigmoid-mlp.ts');
    await extension.activate();
  });

  it('puts static diagnostics on the examples, with codes and lines', async () => {
    const sigmoid = await diagnostics(file('deep-sigmoid-mlp.ts'), (d) => d.length > 0);
    assert.deepEqual(lines(sigmoid, 'vanishing-gradient'), [11, 13]);
    assert.equal(sigmoid.filter((d) => codeOf(d) === 'vanishing-gradient').length, 1, 'one diagnostic per finding, the other layers as related locations');
    await open('long-sequence-rnn.js');
    const rnn = await diagnostics(file('long-sequence-rnn.js'), (d) => d.length > 0);
    assert.deepEqual(lines(rnn, 'long-sequence-rnn'), [10]);
    await open('exploding-relu.ts');
    const exploding = await diagnostics(file('exploding-relu.ts'), (d) => d.length > 0);
    assert.deepEqual(lines(exploding, 'exploding-gradient'), [8, 10]);
    await open('mnist-cnn.ts');
    const cnn = await diagnostics(file('mnist-cnn.ts'), (d) => d.length > 0);
    assert.deepEqual(lines(cnn, 'vanishing-gradient'), [10, 11, 13, 16]);
    // The healthy examples get none.
    for (const healthy of ['relu-batchnorm-mlp.ts', 'residual-functional.ts']) {
      await open(healthy);
      await sleep(1000);
      assert.deepEqual(vscode.languages.getDiagnostics(file(healthy)).filter((d) => d.source === 'Gradient Lens'), [], healthy);
    }
  });

  it('Analyze measures the deep sigmoid MLP: vanishing-gradient on its hidden layer lines', async () => {
    await open('deep-sigmoid-mlp.ts');
    await vscode.commands.executeCommand('gradientLens.analyze', file('deep-sigmoid-mlp.ts'), 'model');
    const measured = await diagnostics(file('deep-sigmoid-mlp.ts'), (d) => d.some((x) => x.message.startsWith('Vanishing gradients')));
    assert.deepEqual(lines(measured, 'vanishing-gradient'), [11, 13]);
    assert.ok(measured.every((d) => !d.message.startsWith('Predicted')), 'the measurement replaced the prediction');
    assert.match(measured[0]!.message, /kernel gradient norm of \d+(\.\d+)?e-\d+/);
  });

  it('the preferred quick fix rewrites the code, and re-analyzing finds no vanishing gradient', async () => {
    const uri = file('deep-sigmoid-mlp.ts');
    const editor = await open('deep-sigmoid-mlp.ts');
    const [diagnostic] = (await diagnostics(uri, (d) => d.length > 0)).filter((d) => codeOf(d) === 'vanishing-gradient');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic!.range, vscode.CodeActionKind.QuickFix.value);
    const preferred = actions.find((a) => a.isPreferred);
    assert.ok(preferred?.edit, `a preferred fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(preferred.title, 'Use ReLU in 2 layer calls');
    assert.ok(await vscode.workspace.applyEdit(preferred.edit));
    const text = editor.document.getText();
    assert.match(text, /model\.add\(tf\.layers\.dense\(\{ units: UNITS, activation: 'relu', inputShape: \[INPUTS\] \}\)\);/);
    assert.doesNotMatch(text, /'sigmoid'/);
    // The measured findings of the old code are gone at once; a new run finds no vanishing.
    await diagnostics(uri, (d) => !d.some((x) => codeOf(x) === 'vanishing-gradient'), 10_000);
    await vscode.commands.executeCommand('gradientLens.analyze', uri, 'model');
    await sleep(500);
    const after = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Gradient Lens');
    assert.deepEqual(lines(after, 'vanishing-gradient'), []);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('a cancelled run leaves a clean state, and the next run works', async () => {
    const uri = file('long-sequence-rnn.js');
    await open('long-sequence-rnn.js');
    const running = vscode.commands.executeCommand('gradientLens.analyze', uri, 'model');
    await sleep(300);
    await vscode.commands.executeCommand('gradientLens.stop');
    await running;
    const afterCancel = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Gradient Lens');
    assert.ok(afterCancel.every((d) => d.message.startsWith('Predicted')), 'no partial measured findings after a cancel');
    await vscode.commands.executeCommand('gradientLens.analyze', uri, 'model');
    const measured = await diagnostics(uri, (d) => d.some((x) => x.message.startsWith('The gradient reaching the first')));
    assert.deepEqual(lines(measured, 'long-sequence-rnn'), [10]);
  });

  it('the first initialization\'s verdict shows while the others run, and a stop keeps it as a partial result', async () => {
    const uri = file('long-sequence-rnn.js');
    await open('long-sequence-rnn.js');
    const config = vscode.workspace.getConfiguration('gradientLens');
    // Several seconds per initialization, and room in the budget for all three.
    await config.update('epochs', 6, vscode.ConfigurationTarget.Workspace);
    await config.update('timeBudgetSeconds', 180, vscode.ConfigurationTarget.Workspace);
    try {
      const running = vscode.commands.executeCommand('gradientLens.analyze', uri, 'model');
      const first = await diagnostics(uri, (d) => d.some((x) => x.message.endsWith('On the first of 3 initializations; the other 2 are being measured.')), 120_000);
      assert.deepEqual(lines(first, 'long-sequence-rnn'), [10]);
      await vscode.commands.executeCommand('gradientLens.stop');
      await running;
      // What was measured is kept (one initialization), no longer said to be confirming.
      const after = await diagnostics(uri, (d) => d.length > 0 && !d.some((x) => x.message.includes('On the first of')), 10_000);
      assert.deepEqual(lines(after, 'long-sequence-rnn'), [10]);
      assert.ok(after.every((d) => !/Same in 3 of 3/.test(d.message)), 'one initialization, not three');
    } finally {
      await config.update('epochs', undefined, vscode.ConfigurationTarget.Workspace);
      await config.update('timeBudgetSeconds', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('a builder called with constants in another workspace file is bound from that call site', async () => {
    const builder = "import * as tf from '@tensorflow/tfjs';\n\nexport function stack(features: number) {\n  const m = tf.sequential();\n  m.add(tf.layers.dense({ units: 16, activation: 'sigmoid', inputShape: [features] }));\n  for (let i = 0; i < 9; i++) m.add(tf.layers.dense({ units: 16, activation: 'sigmoid' }));\n  m.add(tf.layers.dense({ units: 1 }));\n  return m;\n}\n";
    const caller = "import { stack } from './stack-builder';\n\nconst WIDTH = 7;\nexport const net = stack(WIDTH);\n";
    await vscode.workspace.fs.writeFile(file('stack-builder.ts'), new TextEncoder().encode(builder));
    await vscode.workspace.fs.writeFile(file('uses-stack.ts'), new TextEncoder().encode(caller));
    await open('stack-builder.ts');
    // Before the workspace scan `features` is a hole; after it the model is `stack(7)`.
    const bound = await diagnostics(file('stack-builder.ts'), (d) => d.some((x) => codeOf(x) === 'vanishing-gradient') && !d.some((x) => codeOf(x) === 'unresolved-value'), 30_000);
    assert.ok(bound.length > 0);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', file('stack-builder.ts'))) ?? [];
    const models = lenses.map((lens) => lens.command?.arguments?.[1]).filter((name) => typeof name === 'string');
    assert.deepEqual(models, ['stack(7)']);
  });

  it('a learning rate the code does not say is measured with its default, without a prompt, and the result is kept', async () => {
    const text = "import * as tf from '@tensorflow/tfjs';\n\nconst learningRate = Number(process.env.LEARNING_RATE);\nconst model = tf.sequential();\nmodel.add(tf.layers.dense({ units: 32, activation: 'sigmoid', inputShape: [16] }));\nfor (let i = 0; i < 8; i++) model.add(tf.layers.dense({ units: 32, activation: 'sigmoid' }));\nmodel.add(tf.layers.dense({ units: 1 }));\nmodel.compile({ optimizer: tf.train.sgd(learningRate), loss: 'meanSquaredError' });\n";
    await vscode.workspace.fs.writeFile(file('unknown-rate.ts'), new TextEncoder().encode(text));
    await open('unknown-rate.ts');
    const before = await diagnostics(file('unknown-rate.ts'), (d) => d.some((x) => codeOf(x) === 'unresolved-value'));
    assert.match(before.find((x) => codeOf(x) === 'unresolved-value')!.message, /Analyze measures with the default \(learning rate `learningRate` unknown: used 0\.01/);
    // A prompt would wait for input forever here: the run must start without one.
    await vscode.commands.executeCommand('gradientLens.analyze', file('unknown-rate.ts'), 'model');
    const measured = await diagnostics(file('unknown-rate.ts'), (d) => d.some((x) => x.message.startsWith('Vanishing gradients')));
    assert.deepEqual(lines(measured, 'vanishing-gradient').slice(0, 1), [5]);
  });

  it('a file with syntax errors does not stop the extension', async () => {
    const broken = await vscode.workspace.openTextDocument({
      language: 'typescript',
      content: "import * as tf from '@tensorflow/tfjs';\nconst m = tf.sequential();\nm.add(tf.layers.dense({units: 4, inputShape: [3]}));\nm.add(tf.layers.dense({units: ,,, activation: 'sig\nm.add(tf.layers.",
    });
    await vscode.window.showTextDocument(broken);
    await sleep(1000);
    await vscode.commands.executeCommand('gradientLens.analyze', broken.uri, 'm');
    // Still working: the examples keep their diagnostics and a new edit is read.
    await open('deep-sigmoid-mlp.ts');
    const again = await diagnostics(file('deep-sigmoid-mlp.ts'), (d) => d.length > 0);
    assert.ok(again.length > 0);
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('gradientLens.analyze'));
  });
});
