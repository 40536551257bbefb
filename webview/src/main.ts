/**
 * The Gradient panel's page: per-layer gradient norms (log scale, coloured by verdict), a
 * layers x steps heatmap, the loss curve, norms over time for the first/middle/last layer, the
 * gradient per time step for recurrent layers, the findings with their fixes, and a table with
 * the same numbers (the charts' text equivalent). Colours come from the theme's variables.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip } from 'chart.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HostToPanel, PanelState, PanelStep, PanelToHost, RunStatus } from '../../src/shared/panelProtocol';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, Tooltip, Legend);

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState | undefined): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: PanelState | undefined = vscode.getState();
const charts: Chart[] = [];
let frame = 0;

const css = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
const colors = () => ({
  healthy: css('--vscode-charts-green', '#89d185'),
  vanishing: css('--vscode-charts-red', '#f14c4c'),
  exploding: css('--vscode-charts-orange', '#d18616'),
  dead: css('--vscode-disabledForeground', '#888888'),
  saturated: css('--vscode-charts-purple', '#b180d7'),
  'non-finite': css('--vscode-errorForeground', '#f48771'),
  unknown: css('--vscode-charts-blue', '#3794ff'),
  text: css('--vscode-foreground', '#cccccc'),
  grid: css('--vscode-editorWidget-border', '#454545'),
  line: css('--vscode-charts-yellow', '#cca700'),
});

function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  if (!Number.isFinite(value)) return String(value);
  return value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e4) ? value.toExponential(2) : Number(value.toPrecision(3)).toString();
}

function statusText(status: RunStatus): string {
  switch (status.kind) {
    case 'idle': return 'not measured yet';
    case 'probe': return 'probing gradients at initialization...';
    case 'training': return `training: epoch ${status.epoch} of ${status.epochs}, step ${status.step}`;
    case 'done': return status.verdict ? `done: ${status.verdict}` : 'done';
    case 'cancelled': return 'cancelled';
    case 'error': return `error: ${status.message}`;
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  node.append(...children);
  return node;
}

/** A `vscode-button` (@vscode-elements): the toolkit's look, keyboard reachable. */
function button(label: string, message: PanelToHost | (() => void), title = label, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.setAttribute('title', title);
  if (secondary) b.setAttribute('secondary', '');
  b.textContent = label;
  b.addEventListener('click', () => (typeof message === 'function' ? message() : vscode.postMessage(message)));
  return b;
}

let showTable = true;

/** A chart's box with a PNG button: the canvas as an image, saved by the extension. */
function chartBox(canvas: HTMLCanvasElement, name: string, tall = false): HTMLElement {
  const save = button('PNG', () => vscode.postMessage({ type: 'savePng', name, dataUrl: canvas.toDataURL('image/png') }), `Save this chart as a PNG`, true);
  save.classList.add('png');
  return el('div', { class: 'chart-box' }, el('div', { class: tall ? 'chart tall' : 'chart' }, canvas), save);
}

function section(title: string, ...children: (Node | string)[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), ...children);
}

function chartCanvas(label: string): HTMLCanvasElement {
  return el('canvas', { role: 'img', 'aria-label': label });
}

const axisOptions = () => {
  const c = colors();
  return { ticks: { color: c.text }, grid: { color: c.grid } };
};

/** A log axis labelled 1e-8, 1e-6... (one label per power of ten). */
const logAxis = (title: string) => {
  const c = colors();
  return {
    type: 'logarithmic' as const,
    grid: { color: c.grid },
    title: { display: true, text: title, color: c.text },
    ticks: {
      color: c.text,
      callback: (value: string | number) => {
        const v = Number(value);
        const exponent = Math.log10(v);
        return Math.abs(exponent - Math.round(exponent)) < 1e-9 ? `1e${Math.round(exponent)}` : '';
      },
    },
  };
};

function barChart(canvas: HTMLCanvasElement, s: PanelState): Chart {
  const c = colors();
  const layers = s.layers.filter((l) => l.trainable);
  const verdictColor = (verdict: string | undefined) => (c as Record<string, string>)[verdict ?? 'unknown'] ?? c.unknown;
  const last = layers[layers.length - 1]?.kernelNorm ?? undefined;
  const threshold = last ? last * s.thresholds.vanishingRatio : undefined;
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: layers.map((l) => l.id),
      datasets: [
        { label: 'kernel gradient norm', data: layers.map((l) => l.kernelNorm ?? null), backgroundColor: layers.map((l) => verdictColor(l.verdict)) },
        { label: 'bias gradient norm', data: layers.map((l) => l.biasNorm ?? null), backgroundColor: layers.map((l) => `${verdictColor(l.verdict)}88`) },
        ...(threshold
          ? [{ type: 'line' as const, label: `vanishing threshold (${s.thresholds.vanishingRatio} x output)`, data: layers.map(() => threshold), borderColor: c.line, borderDash: [6, 4], pointRadius: 0 }]
          : []),
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      onClick: (_event, elements) => {
        const index = elements[0]?.index;
        if (index !== undefined) vscode.postMessage({ type: 'revealLayer', layerId: layers[index]!.id });
      },
      scales: { x: axisOptions(), y: logAxis('L2 norm (log)') },
      plugins: { legend: { labels: { color: c.text } } },
    },
  });
}

function lineChart(canvas: HTMLCanvasElement, labels: (string | number)[], series: { label: string; data: (number | null)[]; color: string }[], log: boolean, yTitle: string): Chart {
  const c = colors();
  return new Chart(canvas, {
    type: 'line',
    data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, pointRadius: 0, borderWidth: 1.5 })) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: axisOptions(), y: log ? logAxis(yTitle) : { ...axisOptions(), title: { display: true, text: yTitle, color: c.text } } },
      plugins: { legend: { labels: { color: c.text } } },
    },
  });
}

/** Layers x steps, colour = log10 of the kernel gradient norm. Drawn directly on a canvas. */
function heatmap(canvas: HTMLCanvasElement, s: PanelState): void {
  const layers = s.layers.filter((l) => l.trainable).map((l) => l.id);
  const steps = s.steps;
  const width = (canvas.width = Math.max(300, canvas.clientWidth || 600));
  const height = (canvas.height = Math.max(120, layers.length * 14 + 20));
  const context = canvas.getContext('2d')!;
  context.clearRect(0, 0, width, height);
  if (!steps.length || !layers.length) return;
  const values = steps.flatMap((step) => layers.map((id) => step.norms[id])).filter((v): v is number => v !== undefined && v > 0 && Number.isFinite(v)).map(Math.log10);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const left = 90;
  const cellW = (width - left) / steps.length;
  const cellH = (height - 20) / layers.length;
  context.font = '10px sans-serif';
  context.fillStyle = colors().text;
  layers.forEach((id, row) => {
    context.fillStyle = colors().text;
    context.fillText(id, 2, row * cellH + cellH * 0.75);
    steps.forEach((step, column) => {
      const v = step.norms[id];
      let color = '#808080';
      if (v !== undefined && !Number.isFinite(v)) color = colors()['non-finite'];
      else if (v !== undefined && v > 0) {
        const t = high > low ? (Math.log10(v) - low) / (high - low) : 0.5;
        color = `hsl(${Math.round(240 - 240 * t)}, 70%, ${35 + 20 * t}%)`;
      } else if (v === 0) color = '#000000';
      context.fillStyle = color;
      context.fillRect(left + column * cellW, row * cellH, Math.ceil(cellW), Math.ceil(cellH) - 1);
    });
  });
  context.fillStyle = colors().text;
  context.fillText(`steps 1-${steps.length}; colour: log10 norm from ${low.toFixed(1)} (blue) to ${high.toFixed(1)} (red)`, left, height - 6);
}

function render(): void {
  frame = 0;
  for (const chart of charts.splice(0)) chart.destroy();
  app.replaceChildren();
  const s = state;
  if (!s) {
    app.append(el('p', { class: 'empty' }, 'Run ', el('strong', {}, 'Gradient Lens: Analyze Gradients'), ' on a model (CodeLens, command palette or the editor\u2019s context menu) to see its gradients here.'));
    return;
  }
  const running = s.status.kind === 'probe' || s.status.kind === 'training';
  const trainable = s.layers.filter((l) => l.trainable).length;
  app.append(
    el('header', {},
      el('h1', {}, s.model),
      el('p', { class: 'meta' }, `${s.file} · ${s.layers.length} layers (${trainable} with weights) · ${s.params !== undefined ? `${s.params.toLocaleString('en-US')} params` : 'params unknown'}${s.backend ? ` · ${s.backend}` : ''}`),
      el('p', { class: `status status-${s.status.kind}`, role: 'status' }, statusText(s.status)),
      el('div', { class: 'actions' },
        running ? button('Stop', { type: 'stop' }) : button(s.status.kind === 'idle' ? 'Analyze' : 'Re-run', { type: 'rerun' }),
        button('Export JSON', { type: 'export', format: 'json' }, 'Save the run\u2019s statistics as JSON', true),
        button('Export CSV', { type: 'export', format: 'csv' }, 'Save per-step gradient norms and loss as CSV', true),
        button(showTable ? 'Hide table' : 'Show table', () => {
          showTable = !showTable;
          scheduleRender();
        }, 'The numbers behind the charts, as a table', true)),
    ),
  );
  if (s.status.kind === 'error') app.append(el('p', { class: 'error' }, 'The run failed: fix what the message says (the model code, a setting or the data file), then run again. ', button('Re-run', { type: 'rerun' })));

  const measured = s.layers.some((l) => l.kernelNorm !== undefined);
  if (measured) {
    const canvas = chartCanvas('Kernel and bias gradient norm per layer, log scale');
    app.append(section('Gradient norm per layer', chartBox(canvas, 'gradient-norms', true), el('p', { class: 'hint' }, 'Click a bar to go to the layer\u2019s line. Colour: verdict.')));
    charts.push(barChart(canvas, s));
  } else if (!running) {
    app.append(el('p', { class: 'empty' }, 'Not measured yet: the findings below are predictions from the code. Analyze to measure.'));
  }

  if (s.steps.length) {
    const heat = el('canvas', { role: 'img', 'aria-label': 'Heatmap of gradient norms, layers by training steps', class: 'heatmap' });
    app.append(section('Layers x steps', heat));
    heatmap(heat, s);
    const trainableIds = s.layers.filter((l) => l.trainable).map((l) => l.id);
    const picks = [...new Set([trainableIds[0], trainableIds[Math.floor(trainableIds.length / 2)], trainableIds[trainableIds.length - 1]].filter((x): x is string => !!x))];
    const c = colors();
    const palette = [c.vanishing, c.line, c.healthy];
    const labels = s.steps.map((st) => st.step + 1);
    const lossCanvas = chartCanvas('Loss per training step');
    const normsCanvas = chartCanvas('Gradient norm over time for the first, middle and last layers');
    app.append(section('Loss', chartBox(lossCanvas, 'loss')), section('Gradient norm over time', chartBox(normsCanvas, 'norms-over-time')));
    charts.push(lineChart(lossCanvas, labels, [{ label: 'loss', data: s.steps.map((st) => (Number.isFinite(st.loss) ? st.loss : null)), color: c.unknown }], false, 'data loss'));
    charts.push(lineChart(normsCanvas, labels, picks.map((id, i) => ({ label: id, data: s.steps.map((st) => st.norms[id] ?? null), color: palette[i]! })), true, 'kernel gradient norm (log)'));
  }

  for (const temporal of s.temporal) {
    const canvas = chartCanvas(`Gradient per time step of ${temporal.layerId}`);
    app.append(section(`Gradient per time step: ${temporal.layerId}`, chartBox(canvas, `time-steps-${temporal.layerId}`)));
    charts.push(lineChart(canvas, temporal.perTimeStep.map((_, t) => t), [{ label: 'd loss / d input at step t', data: temporal.perTimeStep.map((v) => (v > 0 ? v : null)), color: colors().unknown }], true, 'norm (log)'));
  }

  if (s.verification) {
    const v = s.verification;
    const ids = s.layers.filter((l) => l.trainable && v.before?.[l.id] !== undefined).map((l) => l.id);
    const c = colors();
    const rows = el('tbody', {}, ...v.variants.map((variant) => el('tr', {}, el('td', {}, variant.fix), el('td', {}, variant.verdict), el('td', {}, variant.explanation))));
    const grid = el('div', { class: 'variants' });
    for (const variant of v.variants.filter((x) => x.norms)) {
      const canvas = chartCanvas(`Kernel gradient norm per layer before and after ${variant.fix}`);
      grid.append(el('div', { class: 'variant' }, el('h3', {}, `${variant.fix}: ${variant.verdict}`), chartBox(canvas, `verify-${variant.fix}`)));
      charts.push(lineChart(canvas, ids, [
        { label: 'before', data: ids.map((id) => v.before?.[id] ?? null), color: c.vanishing },
        { label: 'after', data: ids.map((id) => variant.norms?.[id] ?? null), color: c.healthy },
      ], true, 'kernel gradient norm (log)'));
    }
    app.append(
      section(
        'Verified fixes (measured on copies; the file is unchanged)',
        el('table', {}, el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'fix'), el('th', { scope: 'col' }, 'verdict'), el('th', { scope: 'col' }, 'details'))), rows),
        grid,
      ),
    );
  }

  const findings = el('ul', { class: 'findings' });
  for (const finding of s.findings) {
    const fixes = el('div', { class: 'fixes' }, ...finding.fixes.map((code) => button(code, { type: 'applyFix', code, layers: finding.layers }, `Apply ${code} to the code`, true)));
    if (finding.fixes.length) fixes.append(button('Verify fixes...', { type: 'verifyFixes', codes: finding.fixes }, 'Measure each fix on a copy, without changing the file'));
    const where = el('a', { href: '#', class: 'layer-link' }, `line ${finding.line}`);
    where.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'revealLayer', layerId: finding.layers[0] ?? '' });
    });
    findings.append(el('li', { class: `finding ${finding.severity}` }, el('strong', {}, `${finding.code} `), el('span', { class: 'source' }, `(${finding.source}, ${finding.severity}) `), where, el('p', {}, finding.message), ...(finding.evidence ? [el('p', { class: 'evidence' }, finding.evidence)] : []), fixes));
  }
  app.append(section(`Findings (${s.findings.length})`, s.findings.length ? findings : el('p', {}, 'No finding: the gradients look healthy.')));

  const table = el('table', {}, el('thead', {}, el('tr', {}, ...['layer', 'type', 'activation', 'line', 'params', 'kernel grad norm', 'bias grad norm', 'verdict'].map((h) => el('th', { scope: 'col' }, h)))));
  const body = el('tbody');
  for (const layer of s.layers) {
    const link = el('a', { href: '#', class: 'layer-link' }, layer.id);
    link.addEventListener('click', (e) => {
      e.preventDefault();
      vscode.postMessage({ type: 'revealLayer', layerId: layer.id });
    });
    body.append(el('tr', { class: `verdict-${layer.verdict ?? 'none'}` }, el('td', {}, link), el('td', {}, layer.type, ...(layer.note ? [el('span', { class: 'note' }, ` (${layer.note})`)] : [])), el('td', {}, layer.activation ?? ''), el('td', {}, String(layer.line)), el('td', {}, layer.params?.toLocaleString('en-US') ?? '?'), el('td', {}, fmt(layer.kernelNorm)), el('td', {}, fmt(layer.biasNorm)), el('td', {}, layer.verdict ?? '-')));
  }
  table.append(body);
  if (showTable) app.append(section('Layers (table)', table));
}

function scheduleRender(): void {
  if (!frame) frame = requestAnimationFrame(render);
}

window.addEventListener('message', (event: MessageEvent<HostToPanel>) => {
  const message = event.data;
  if (message.type === 'state') state = message.state;
  else if (message.type === 'steps' && state) state = { ...state, status: message.status, steps: [...state.steps, ...(message.steps as PanelStep[])] };
  vscode.setState(state);
  scheduleRender();
});

render();
vscode.postMessage({ type: 'ready' });
