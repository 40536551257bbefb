import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { measuredFindings } from '../../src/core/analysis/measuredRules';
import { parseModels } from '../../src/core/parse/index';
import { formatNumber } from '../../src/shared/format';
import { headline, kernelNorm } from '../../src/shared/headline';
import { measurableModel } from '../../src/core/defaults';
import { LineIndex } from '../../src/core/text';
import { escapeInline, panelHtml } from '../../src/shared/panelHtml';
import { panelFixes, panelThresholds, runCaveats } from '../../src/shared/panelModel';
import { measure } from '../../src/training/measure';
import { DEFAULT_RUN_OPTIONS, type RunSummary } from '../../src/training/protocol';
import { heatColor, labelledDecade, logRange, special, specialLabel, wantsLog } from '../../webview/src/view';

test('formatNumber: engineering notation, 3 significant digits, zero and non-finite spelled out', () => {
  assert.equal(formatNumber(3.4e-8), '34e-9');
  assert.equal(formatNumber(0.0015), '1.5e-3');
  assert.equal(formatNumber(0.001), '1e-3');
  assert.equal(formatNumber(1e-9), '1e-9');
  assert.equal(formatNumber(2.346e-7), '235e-9');
  assert.equal(formatNumber(0.5), '0.5');
  assert.equal(formatNumber(0.0123), '0.0123');
  assert.equal(formatNumber(12.345), '12.3');
  assert.equal(formatNumber(999.7), '1e3');
  assert.equal(formatNumber(123456), '123e3');
  assert.equal(formatNumber(1.5e14), '150e12');
  assert.equal(formatNumber(-4.2e-5), '-42e-6');
  assert.equal(formatNumber(0), '0');
  assert.equal(formatNumber(NaN), 'NaN');
  assert.equal(formatNumber(Infinity), 'Inf');
  assert.equal(formatNumber(-Infinity), '-Inf');
  assert.equal(formatNumber(null), '-');
  assert.equal(formatNumber(undefined), '-');
  // A tiny number never reads as zero, and never has more than 3 significant digits.
  for (let e = -30; e <= 30; e += 0.37) {
    const v = 10 ** e * 1.23456;
    const text = formatNumber(v);
    assert.notEqual(text, '0');
    const mantissa = text.split('e')[0]!.replace(/^-?0?\.?0*/, '').replace('.', '');
    assert.ok(mantissa.length <= 3, `${v} -> ${text}`);
    assert.ok(Math.abs(Number(text) / v - 1) < 0.005, `${v} -> ${text}`);
  }
});

test('chart helpers: log ranges span whole decades (at least two), special values are named', () => {
  assert.deepEqual(logRange([3.4e-8, 2e-3]), { min: 1e-8, max: 1e-2 });
  const narrow = logRange([0.3, 0.6]);
  assert.ok(Math.log10(narrow.max / narrow.min) >= 2, JSON.stringify(narrow));
  assert.deepEqual(logRange([0, NaN, Infinity]), { min: 1e-3, max: 1e1 });
  assert.equal(special(0), 'zero');
  assert.equal(special(NaN), 'nan');
  assert.equal(special(-Infinity), 'inf');
  assert.equal(special(1e-30), 'ok');
  assert.equal(special(null), 'missing');
  assert.equal(specialLabel('inf', -Infinity), '-Inf');
  assert.equal(specialLabel('zero'), '0');
  assert.ok(labelledDecade(1e-6, 1e-8, 1e-2) && !labelledDecade(2e-6, 1e-8, 1e-2));
  assert.ok(!labelledDecade(1e-7, 1e-20, 1e2), 'every third decade on a 22-decade axis');
  assert.ok(wantsLog([1, 1e5]) && !wantsLog([1, 2]) && !wantsLog([0, 1e5]));
});

test('heatmap colours: a fixed scale (same number, same colour), monotone in brightness, never red', () => {
  const rgb = (c: string) => c.match(/\d+/g)!.map(Number) as [number, number, number];
  let previous = -1;
  for (let e = -10; e <= 2; e += 0.5) {
    const [r, g, b] = rgb(heatColor(10 ** e));
    const brightness = 0.3 * r + 0.59 * g + 0.11 * b;
    assert.ok(brightness >= previous, `brighter as the norm grows (1e${e})`);
    previous = brightness;
    assert.ok(!(r > 180 && g < 100 && b < 100), `no red at 1e${e}: ${r},${g},${b}`);
  }
  assert.equal(heatColor(1e-20), heatColor(1e-10), 'clamped below');
  assert.equal(heatColor(3e-4), heatColor(3e-4));
});

const examples = join(__dirname, '..', 'examples');
async function measured(file: string, epochs = 1) {
  await tf.setBackend('cpu');
  const text = readFileSync(join(examples, file), 'utf8');
  const graph = parseModels(text, file).models[0]!;
  const summary: RunSummary = await measure(tf, graph, { ...DEFAULT_RUN_OPTIONS, epochs, samples: 128 }, {}, { cancelled: () => false });
  return { text, graph, summary, analysis: measuredFindings(graph, summary) };
}

test('the drawn vanishing line is the rule that coloured the bars: below it exactly the vanishing layers', async () => {
  const { summary, analysis } = await measured('deep-sigmoid-mlp.ts');
  const lines = panelThresholds(summary, analysis.findings, 1e-3, 70);
  assert.ok(lines.vanishingBelow !== undefined, 'a vanishing model draws its line');
  assert.equal(lines.explodingAbove, undefined);
  for (const id of summary.trainableLayers) {
    const norm = kernelNorm(summary, id)!;
    assert.equal(norm < lines.vanishingBelow!, analysis.verdicts[id] === 'vanishing', `${id}: ${formatNumber(norm)} vs line ${formatNumber(lines.vanishingBelow)}, verdict ${analysis.verdicts[id]}`);
  }
  const h = headline(analysis, summary);
  assert.equal(h.words, 'Vanishing gradients');
  assert.match(h.short, /^first\/last gradient \d+(\.\d+)?e-\d+ · vanishing$/);
  assert.equal(h.worst?.layer, 'dense_1');
  assert.match(h.worst!.text, /^dense_1: kernel gradient norm \S+, \S+ orders of magnitude below the output layer dense_12/);
});

test('a healthy model draws no threshold line; the headline says healthy with its ratio', async () => {
  const { summary, analysis } = await measured('relu-batchnorm-mlp.ts');
  const lines = panelThresholds(summary, analysis.findings, 1e-3, 70);
  assert.equal(lines.vanishingBelow, undefined);
  assert.equal(lines.explodingAbove, undefined);
  const h = headline(analysis, summary);
  assert.equal(h.verdict, 'healthy');
  assert.match(h.short, /first\/last gradient .* · healthy/);
});

test('the RNN headline is the time-step ratio, not the first/last layer ratio', async () => {
  const { summary, analysis } = await measured('long-sequence-rnn.js');
  const temporal = analysis.findings.find((f) => f.code === 'long-sequence-rnn');
  assert.ok(temporal, JSON.stringify(analysis.findings.map((f) => f.code)));
  const h = headline(analysis, summary);
  assert.match(h.short, /^first\/last time step \S+ · vanishing$/, h.short);
  assert.equal(h.words, 'Vanishing gradients through time');
});

test('fix buttons carry the quick-fix sentences; the first available one is preferred', () => {
  const text = readFileSync(join(examples, 'deep-sigmoid-mlp.ts'), 'utf8');
  const graph = parseModels(text, 'deep-sigmoid-mlp.ts').models[0]!;
  const fixes = panelFixes(text, 'deep-sigmoid-mlp.ts', graph, ['init-he', 'activation-relu', 'insert-batch-norm'], ['dense_1', 'dense_2']);
  // He initialization is not offered for a sigmoid stack: unavailable, with the reason, never preferred.
  assert.ok(fixes[0]!.unavailable && !fixes[0]!.preferred, JSON.stringify(fixes[0]));
  assert.equal(fixes[1]!.title, 'Use ReLU in 2 layer calls');
  assert.ok(fixes[1]!.preferred && !fixes[2]!.preferred);
  assert.match(fixes[2]!.title, /^Insert batch normalization/);
});

test('NaN and Inf survive the webview message (JSON) as themselves, not as null', async () => {
  const { encodeNonFinite, decodeNonFinite } = await import('../../src/shared/panelProtocol');
  const state = { layers: [{ id: 'dense_1', kernelNorm: NaN, biasNorm: Infinity }, { id: 'dense_2', kernelNorm: 3.4e-8, biasNorm: -Infinity }], steps: [{ loss: NaN, norms: { dense_1: Infinity } }], name: 'NaN' };
  const wire = JSON.parse(JSON.stringify(encodeNonFinite(state)));
  const back = decodeNonFinite(wire);
  assert.ok(Number.isNaN(back.layers[0]!.kernelNorm));
  assert.equal(back.layers[0]!.biasNorm, Infinity);
  assert.equal(back.layers[1]!.biasNorm, -Infinity);
  assert.equal(back.layers[1]!.kernelNorm, 3.4e-8);
  assert.ok(Number.isNaN(back.steps[0]!.loss));
  assert.equal(back.steps[0]!.norms.dense_1, Infinity);
  assert.equal(back.name, 'NaN', 'strings stay strings');
  assert.equal(JSON.parse(JSON.stringify(state)).layers[0].kernelNorm, null, 'plain JSON would have lost it');
});

test('the caveats beside the verdict: partial run first, then the run\'s notes, then each default used with its line', async () => {
  // A learning rate the code does not say (a builder's parameter nobody calls): measured with Adam's default.
  const text = [
    "import * as tf from '@tensorflow/tfjs';",
    'export function build(lr: number) {',
    '  const model = tf.sequential();',
    "  model.add(tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }));",
    '  model.add(tf.layers.dense({ units: 1 }));',
    "  model.compile({ optimizer: tf.train.adam(lr), loss: 'meanSquaredError' });",
    '  return model;',
    '}',
  ].join('\n');
  const parsed = parseModels(text, 'lr.ts').models[0]!;
  const ready = measurableModel(text, 'lr.ts', {}, parsed);
  assert.ok(ready && ready.defaultsUsed.length === 1, JSON.stringify(ready?.defaultsUsed));
  const lines = new LineIndex(text);
  const { summary } = await measured('deep-sigmoid-mlp.ts');
  const partial: RunSummary = {
    ...summary,
    stoppedBy: 'budget',
    partial: { reason: 'the 60 s time budget ran out after 12 of 96 training steps' },
    notes: ['Batch size 8 instead of 32: a step of 32 samples would need about 900 MB, more than the 512 MB a step may use.'],
  };
  const caveats = runCaveats(partial, ready.defaultsUsed, (offset) => lines.lineNumber(offset));
  assert.deepEqual(caveats.map((c) => c.kind), ['partial', 'note', 'default']);
  assert.equal(caveats[0]!.text, 'Partial measurement: the 60 s time budget ran out after 12 of 96 training steps. The verdict rests on what was measured before that.');
  assert.match(caveats[1]!.text, /^Batch size 8 instead of 32/);
  assert.match(caveats[2]!.text, /^Learning rate .*lr.* unknown: used 0\.001, Adam's default\.$/, caveats[2]!.text);
  assert.equal(caveats[2]!.line, 2, 'the line of the unknown: the builder parameter `lr`');
  // A complete run with the code's own values has nothing to qualify its verdict.
  assert.deepEqual(runCaveats(summary, [], (offset) => lines.lineNumber(offset)), []);
  assert.deepEqual(runCaveats(undefined, undefined, () => 1), []);
});

test('the panel page carries its script and style inline, escaped, under a nonce-only policy', async () => {
  const script = 'const a = "</script><!-- x"; export {};';
  const html = panelHtml({ nonce: 'abc123', cspSource: 'https://file+.vscode-resource.vscode-cdn.net', script, style: 'body { color: red; }' });
  assert.ok(html.includes(`script-src 'nonce-abc123'`) && !/script-src[^;]*(unsafe-inline|https?:)/.test(html), 'scripts only with the nonce');
  assert.ok(html.includes('<script type="module" nonce="abc123">') && !html.includes(' src='), 'no script fetched');
  assert.ok(html.includes('<style nonce="abc123">body { color: red; }</style>'));
  // Exactly one end tag of a script: the one closing the page's script.
  assert.equal(html.split('</script>').length - 1, 1);
  assert.ok(!html.slice(html.indexOf('<script type="module"')).includes('<!--'));
  // The escaped text means the same in JavaScript.
  assert.equal(new Function(`${escapeInline('return "</script><!-- x";', 'script')}`)(), '</script><!-- x');
  // Linked when the files could not be read.
  const linked = panelHtml({ nonce: 'n', cspSource: 'csp', scriptUri: 'https://x/webview.js', styleUri: 'https://x/panel.css' });
  assert.ok(linked.includes('src="https://x/webview.js"') && linked.includes('href="https://x/panel.css"'));
  // The real bundle needs no escaping (so inlining cannot change it), when it is built.
  const bundle = join(__dirname, '../dist/webview.js');
  if (existsSync(bundle)) {
    const code = readFileSync(bundle, 'utf8');
    assert.equal(escapeInline(code, 'script'), code);
  }
});
