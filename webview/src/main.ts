/**
 * The Gradient panel's page. Top to bottom: banners (stale results, non-finite values, errors),
 * the verdict card (what is wrong, where, the first fix as a button), verified fixes, then the
 * charts: per-layer gradient norms (log scale, coloured by verdict, with the threshold lines
 * that decided those colours and a key), the layers x steps heatmap on a fixed log scale with a
 * colour bar, the loss, norms over time and the gradient per time step of recurrent layers; then
 * the findings and a table of the same numbers. Every number goes through formatNumber. Colours
 * come from the theme's variables and the page re-renders when the theme changes.
 */
import { BarController, BarElement, CategoryScale, Chart, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, Tooltip, type ChartDataset, type Plugin } from 'chart.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { formatNumber } from '../../src/shared/format';
import { decodeNonFinite, encodeNonFinite, isRunning, type HostToPanel, type Measurement, type PanelCaveat, type PanelFinding, type PanelFix, type PanelLayer, type PanelState, type PanelStep, type PanelToHost, type RunStatus } from '../../src/shared/panelProtocol';
import { HEAT_LOG_MAX, HEAT_LOG_MIN, heatColor, labelledDecade, logRange, special, specialLabel, wantsLog, type Special } from './view';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, Tooltip);

interface VsCodeApi {
  postMessage(message: PanelToHost): void;
  getState(): PanelState | undefined;
  setState(state: PanelState | undefined): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: PanelState | undefined = decodeNonFinite(vscode.getState());
const charts: Chart[] = [];
let frame = 0;
let lastDrawn: Measurement | undefined;
/** Live training steps redraw the page at most this often (ms); see scheduleRender. */
const STEP_RENDER_MS = 250;
let lastRender = 0;
let stepTimer = 0;
/** When the last state message arrived (Date.now()), for the first-picture benchmark. */
let receivedAt = 0;

const css = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
/** The verdict colours (one meaning each, everywhere on the page) and the chart ink. */
const colors = () => ({
  healthy: css('--vscode-charts-green', '#89d185'),
  vanishing: css('--vscode-charts-red', '#f14c4c'),
  exploding: css('--vscode-charts-orange', '#d18616'),
  dead: css('--vscode-disabledForeground', '#888888'),
  // Also zero gradients, caused at the output: the same grey as dead units, its own key.
  'constant-output': css('--vscode-disabledForeground', '#888888'),
  saturated: css('--vscode-charts-purple', '#b180d7'),
  'non-finite': css('--vscode-charts-yellow', '#cca700'),
  unknown: css('--vscode-charts-blue', '#3794ff'),
  text: css('--vscode-foreground', '#cccccc'),
  muted: css('--vscode-descriptionForeground', '#9d9d9d'),
  grid: css('--vscode-editorWidget-border', css('--vscode-contrastBorder', '#454545')),
  background: css('--vscode-editor-background', '#1e1e1e'),
});
type Colors = ReturnType<typeof colors>;
const VERDICTS = ['healthy', 'vanishing', 'exploding', 'dead', 'constant-output', 'saturated', 'non-finite'] as const;
const VERDICT_KEY: Record<string, string> = {
  healthy: 'healthy',
  vanishing: 'vanishing',
  exploding: 'exploding',
  dead: 'dead (zero gradient)',
  'constant-output': 'constant output (zero gradient)',
  saturated: 'saturated',
  'non-finite': 'NaN / Inf',
  unknown: 'not judged yet',
};
const verdictColor = (c: Colors, verdict: string | undefined): string => (c as Record<string, string>)[verdict ?? 'unknown'] ?? c.unknown;

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

function layerLink(id: string, text = id): HTMLElement {
  const link = el('a', { href: '#', class: 'layer-link', title: `Go to ${id} in the code` }, text);
  link.addEventListener('click', (e) => {
    e.preventDefault();
    vscode.postMessage({ type: 'revealLayer', layerId: id });
  });
  return link;
}

/** A fix as a button with its sentence; the preferred one marked, an unavailable one disabled with the reason. */
function fixButton(fix: PanelFix, layers: readonly string[] | undefined, secondary: boolean): HTMLElement {
  const b = button(fix.preferred ? `${fix.title} (preferred)` : fix.title, { type: 'applyFix', code: fix.code, ...(layers ? { layers } : {}) }, fix.unavailable ?? `Apply to the code: ${fix.title}`, secondary);
  b.classList.add('fix');
  b.dataset['code'] = fix.code;
  if (fix.unavailable) {
    b.setAttribute('disabled', '');
    b.textContent = `${fix.code}: not available here`;
  }
  return b;
}

let showTable = true;

/** A chart's box: a toolbar row with the PNG button above the canvas, so nothing covers the chart or its key. */
function chartBox(canvas: HTMLCanvasElement, name: string, height = 220): HTMLElement {
  const save = button('PNG', () => vscode.postMessage({ type: 'savePng', name, dataUrl: canvas.toDataURL('image/png') }), 'Save this chart as a PNG', true);
  save.classList.add('png');
  const box = el('div', { class: 'chart' }, canvas);
  box.style.height = `${height}px`;
  return el('div', { class: 'chart-box' }, el('div', { class: 'chart-tools' }, save), box);
}

function section(title: string, ...children: (Node | string)[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), ...children);
}

function chartCanvas(label: string): HTMLCanvasElement {
  return el('canvas', { role: 'img', 'aria-label': label });
}

function statusText(status: RunStatus): string {
  switch (status.kind) {
    case 'idle': return 'not measured yet';
    case 'starting': return 'starting the training worker...';
    case 'probe': return 'probing gradients at initialization...';
    case 'training': return `training: epoch ${status.epoch} of ${status.epochs}, step ${status.step} of ${status.totalSteps}`;
    case 'confirming': return `first initialization: ${status.firstVerdict}; measuring ${status.planned - 1} more initialization${status.planned > 2 ? 's' : ''} to confirm it...`;
    case 'done': return 'done';
    case 'cancelled': return 'cancelled';
    case 'error': return `error: ${status.message}`;
  }
}

const running = (s: PanelState): boolean => isRunning(s.status);

/** A log axis: ticks labelled at powers of ten in the shared number format, a title. */
function logAxis(c: Colors, title: string, range: { min: number; max: number }) {
  return {
    type: 'logarithmic' as const,
    min: range.min,
    max: range.max,
    // Grid lines on the labelled decades only: the 2..9 minor lines made the chart a blur.
    grid: { color: (ctx: { tick?: { value: number } }) => (ctx.tick && labelledDecade(ctx.tick.value, range.min, range.max) ? c.grid : 'transparent') },
    border: { color: c.grid },
    title: { display: true, text: title, color: c.text },
    ticks: { color: c.text, autoSkip: false, callback: (value: string | number) => (labelledDecade(Number(value), range.min, range.max) ? formatNumber(Number(value)) : '') },
  };
}

function categoryAxis(c: Colors, title: string) {
  return {
    grid: { color: c.grid },
    border: { color: c.grid },
    title: { display: true, text: title, color: c.text },
    ticks: { color: c.text, autoSkip: true, maxRotation: 0, autoSkipPadding: 8 },
  };
}

/**
 * Writes "0", "NaN", "Inf" beside the markers of values a log axis cannot place: at the bottom of
 * the plot for zero, at the top for non-finite.
 */
function specialLabels(c: Colors): Plugin {
  return {
    id: 'specialLabels',
    afterDatasetsDraw(chart) {
      const context = chart.ctx;
      context.save();
      context.font = '11px sans-serif';
      context.fillStyle = c.text;
      context.textAlign = 'center';
      chart.data.datasets.forEach((dataset, d) => {
        const labels = (dataset as { specialLabels?: string[] }).specialLabels;
        if (!labels || !chart.isDatasetVisible(d)) return;
        chart.getDatasetMeta(d).data.forEach((point, i) => {
          const text = labels[i];
          if (!text) return;
          const top = point.y < chart.chartArea.top + 20;
          context.fillText(text, point.x, top ? point.y + 18 : point.y - 9);
        });
      });
      context.restore();
    },
  };
}

/**
 * Tooltips as HTML beside the canvas (not painted into it): screen readers and tests read them,
 * and they use the theme's hover colours.
 */
function htmlTooltip(context: { chart: Chart; tooltip: { opacity: number; title?: string[]; body?: { lines: string[] }[]; footer?: string[]; caretX: number; caretY: number } }): void {
  const { chart, tooltip } = context;
  const holder = chart.canvas.parentElement!;
  let tip = holder.querySelector<HTMLDivElement>('.chart-tip');
  if (!tip) {
    tip = el('div', { class: 'chart-tip', role: 'tooltip' });
    holder.append(tip);
  }
  if (tooltip.opacity === 0) {
    tip.style.display = 'none';
    return;
  }
  const lines = [...(tooltip.title ?? []).map((t) => el('div', { class: 'tip-title' }, t)), ...(tooltip.body ?? []).flatMap((b) => b.lines).map((t) => el('div', {}, t)), ...(tooltip.footer ?? []).filter(Boolean).map((t) => el('div', { class: 'muted' }, t))];
  tip.replaceChildren(...lines);
  tip.style.display = 'block';
  const width = holder.clientWidth;
  tip.style.left = `${Math.max(0, Math.min(tooltip.caretX + 10, width - tip.offsetWidth - 4))}px`;
  tip.style.top = `${Math.max(0, tooltip.caretY - tip.offsetHeight - 6)}px`;
}

/** Records where the bars are (canvas x of each category), for keyboard users' tests and the e2e. */
const barPositions: Plugin = {
  id: 'barPositions',
  afterRender(chart) {
    chart.canvas.dataset['bars'] = JSON.stringify(chart.getDatasetMeta(0).data.map((p) => Math.round(p.x)));
    chart.canvas.dataset['plotTop'] = String(Math.round(chart.chartArea.top));
    chart.canvas.dataset['plotBottom'] = String(Math.round(chart.chartArea.bottom));
  },
};

/** A marker dataset for values a log axis cannot draw (zero at the bottom, NaN/Inf at the top). */
function specialDataset(c: Colors, label: string, values: readonly (number | null | undefined)[], range: { min: number; max: number }): ChartDataset<'line'> & { specialLabels: string[] } {
  const kinds = values.map((v) => special(v));
  return {
    type: 'line',
    label,
    data: kinds.map((k) => (k === 'zero' ? range.min : k === 'nan' || k === 'inf' ? range.max : null)),
    specialLabels: kinds.map((k, i) => specialLabel(k, values[i] ?? undefined)),
    showLine: false,
    pointStyle: 'crossRot',
    pointRadius: 7,
    pointHoverRadius: 8,
    borderWidth: 2,
    borderColor: kinds.map((k) => (k === 'zero' ? c.dead : c['non-finite'])),
    backgroundColor: kinds.map((k) => (k === 'zero' ? c.dead : c['non-finite'])),
    clip: false,
  };
}

const specialKinds = (values: readonly (number | null | undefined)[]): Special[] => values.map((v) => special(v));

function barChart(canvas: HTMLCanvasElement, s: PanelState, layers: readonly PanelLayer[]): Chart {
  const c = colors();
  const kernel = layers.map((l) => l.kernelNorm);
  const bias = layers.map((l) => l.biasNorm);
  const t = s.thresholds;
  const range = logRange([...kernel, ...bias, t.vanishingBelow, t.explodingAbove]);
  const positive = (v: number | null | undefined) => (typeof v === 'number' && special(v) === 'ok' ? v : null);
  const colorOf = (l: PanelLayer) => (s.measurement === 'measured' || s.measurement === 'stale' ? verdictColor(c, l.verdict) : c.unknown);
  const datasets: ChartDataset<'bar' | 'line'>[] = [
    { type: 'bar', label: 'kernel gradient norm', data: kernel.map(positive), backgroundColor: layers.map(colorOf), borderColor: layers.map(colorOf), borderWidth: 1 },
    { type: 'bar', label: 'bias gradient norm', data: bias.map(positive), backgroundColor: layers.map((l) => `${colorOf(l)}55`), borderColor: layers.map(colorOf), borderWidth: 1 },
    specialDataset(c, 'kernel gradient norm', kernel, range),
  ];
  if (t.vanishingBelow !== undefined) datasets.push({ type: 'line', label: 'vanishing below', data: layers.map(() => t.vanishingBelow!), borderColor: c.vanishing, borderDash: [6, 4], borderWidth: 2, pointRadius: 0, pointHoverRadius: 0 });
  if (t.explodingAbove !== undefined) datasets.push({ type: 'line', label: 'exploding above', data: layers.map(() => t.explodingAbove!), borderColor: c.exploding, borderDash: [6, 4], borderWidth: 2, pointRadius: 0, pointHoverRadius: 0 });
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: layers.map((l) => l.id), datasets: datasets as ChartDataset<'bar'>[] },
    plugins: [specialLabels(c), barPositions],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      onClick: (_event, elements) => {
        const index = elements[0]?.index;
        if (index !== undefined) vscode.postMessage({ type: 'revealLayer', layerId: layers[index]!.id });
      },
      scales: { x: categoryAxis(c, 'layer (trainable, in model order)'), y: logAxis(c, 'gradient L2 norm (log scale)', range) },
      plugins: {
        legend: { display: false },
        tooltip: {
          enabled: false,
          external: htmlTooltip,
          filter: (item) => item.datasetIndex <= 2 && item.raw !== null,
          callbacks: {
            title: (items) => {
              const layer = layers[items[0]?.dataIndex ?? 0];
              return layer ? `${layer.id} (${layer.type}, line ${layer.line})` : '';
            },
            label: (item) => {
              const layer = layers[item.dataIndex]!;
              const bias = item.datasetIndex === 1;
              return `${bias ? 'bias' : 'kernel'} gradient norm: ${formatNumber(bias ? layer.biasNorm : layer.kernelNorm)}`;
            },
            footer: (items) => {
              const layer = layers[items[0]?.dataIndex ?? 0];
              return layer?.verdict ? `verdict: ${layer.verdict}` : s.measurement === 'initialization' ? 'at initialization, not judged yet' : '';
            },
          },
        },
      },
    },
  });
}

function lineChart(
  canvas: HTMLCanvasElement,
  labels: (string | number)[],
  series: { label: string; data: readonly (number | null | undefined)[]; color: string; dash?: number[] }[],
  options: { log: boolean | 'auto'; yTitle: string; xTitle: string },
): Chart {
  const c = colors();
  const all = series.flatMap((s) => s.data);
  const log = options.log === 'auto' ? wantsLog(all) : options.log;
  const range = logRange(all);
  const finite = all.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const linearRange = finite.length ? { min: Math.min(...finite), max: Math.max(...finite) } : { min: 0, max: 1 };
  const markerRange = log ? range : linearRange;
  const points = labels.length <= 1 ? 4 : labels.length < 40 ? 2 : 0;
  const datasets: ChartDataset<'line'>[] = [];
  for (const s of series) {
    const ok = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) && (!log || v > 0) ? v : null);
    datasets.push({ label: s.label, data: s.data.map(ok), borderColor: s.color, backgroundColor: s.color, pointRadius: points, borderWidth: 1.5, ...(s.dash ? { borderDash: s.dash } : {}), spanGaps: false });
    if (specialKinds(s.data).some((k) => k === 'nan' || k === 'inf' || (log && k === 'zero'))) datasets.push(specialDataset(c, s.label, s.data, markerRange));
  }
  return new Chart(canvas, {
    type: 'line',
    data: { labels, datasets },
    plugins: [specialLabels(c)],
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false, axis: 'x' },
      scales: {
        x: categoryAxis(c, options.xTitle),
        y: log
          ? logAxis(c, `${options.yTitle} (log scale)`, range)
          : { grid: { color: c.grid }, border: { color: c.grid }, title: { display: true, text: options.yTitle, color: c.text }, ticks: { color: c.text, callback: (v: string | number) => formatNumber(Number(v)) } },
      },
      plugins: {
        legend: { display: series.length > 1, labels: { color: c.text, boxHeight: 2 } },
        tooltip: {
          enabled: false,
          external: htmlTooltip,
          callbacks: {
            label: (item) => {
              const s = series.find((x) => x.label === item.dataset.label);
              return `${item.dataset.label}: ${formatNumber(s?.data[item.dataIndex])}`;
            },
          },
        },
      },
    },
  });
}

/**
 * Layers x steps, colour = the kernel gradient norm on a fixed log scale (1e-10 to 100), with a
 * colour bar and a tooltip per cell. Zero cells are drawn as an empty cell with a dot, non-finite
 * ones with a cross. Drawn directly on a canvas.
 */
function heatmap(holder: HTMLElement, s: PanelState): void {
  const c = colors();
  const layers = s.layers.filter((l) => l.trainable).map((l) => l.id);
  const steps = s.steps;
  const canvas = el('canvas', { role: 'img', 'aria-label': `Heatmap of kernel gradient norms: ${layers.length} layers by ${steps.length} training steps, fixed log colour scale from 1e-10 to 100` });
  const tip = el('div', { class: 'heat-tip', role: 'tooltip' });
  holder.append(el('div', { class: 'heat-wrap' }, canvas, tip));
  const dpr = window.devicePixelRatio || 1;
  const width = Math.max(240, holder.clientWidth || 600);
  const left = Math.min(90, Math.round(width * 0.25));
  const rowH = Math.max(8, Math.min(16, Math.floor(240 / Math.max(1, layers.length))));
  const plotH = rowH * layers.length;
  const height = plotH + 34 + 46;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext('2d')!;
  context.scale(dpr, dpr);
  context.clearRect(0, 0, width, height);
  const plotW = width - left - 4;
  const cellW = plotW / Math.max(1, steps.length);
  context.font = '10px sans-serif';
  context.textBaseline = 'middle';
  layers.forEach((id, row) => {
    context.fillStyle = c.text;
    context.textAlign = 'right';
    const label = id.length > 14 ? `${id.slice(0, 13)}\u2026` : id;
    context.fillText(label, left - 4, row * rowH + rowH / 2);
    steps.forEach((step, column) => {
      const v = step.norms[id];
      const x = left + column * cellW;
      const y = row * rowH;
      const kind = special(v);
      if (kind === 'ok') {
        context.fillStyle = heatColor(v!);
        context.fillRect(x, y, Math.ceil(cellW), rowH - 1);
      } else if (kind === 'zero') {
        context.fillStyle = c.dead;
        context.fillRect(x + cellW / 2 - 1, y + rowH / 2 - 1, 2, 2);
      } else if (kind === 'nan' || kind === 'inf') {
        context.strokeStyle = c['non-finite'];
        context.beginPath();
        context.moveTo(x, y);
        context.lineTo(x + cellW, y + rowH - 1);
        context.moveTo(x + cellW, y);
        context.lineTo(x, y + rowH - 1);
        context.stroke();
      }
    });
  });
  // x axis: step numbers and a title.
  context.fillStyle = c.text;
  context.textAlign = 'center';
  const every = Math.max(1, Math.ceil(steps.length / Math.max(2, Math.floor(plotW / 50))));
  for (let i = 0; i < steps.length; i += every) context.fillText(String(steps[i]!.step + 1), left + (i + 0.5) * cellW, plotH + 8);
  context.fillText('training step', left + plotW / 2, plotH + 22);
  // Colour bar with decade ticks, and the marks for 0 and NaN/Inf.
  const barY = plotH + 34;
  const barW = Math.min(plotW, 320);
  for (let x = 0; x < barW; x++) {
    context.fillStyle = heatColor(10 ** (HEAT_LOG_MIN + ((HEAT_LOG_MAX - HEAT_LOG_MIN) * x) / barW));
    context.fillRect(left + x, barY, 1, 10);
  }
  context.fillStyle = c.text;
  for (let e = HEAT_LOG_MIN; e <= HEAT_LOG_MAX; e += 3) {
    const x = left + ((e - HEAT_LOG_MIN) / (HEAT_LOG_MAX - HEAT_LOG_MIN)) * barW;
    context.fillRect(x, barY + 10, 1, 3);
    context.fillText(formatNumber(10 ** e), Math.min(Math.max(x, left + 10), left + barW - 10), barY + 20);
  }
  context.textAlign = 'right';
  context.fillText('norm', left - 4, barY + 5);
  context.textAlign = 'left';
  const keyX = left + barW + 10;
  if (keyX + 90 < width) {
    context.fillStyle = c.dead;
    context.fillRect(keyX, barY + 4, 2, 2);
    context.fillStyle = c.text;
    context.fillText('0', keyX + 6, barY + 5);
    context.strokeStyle = c['non-finite'];
    context.beginPath();
    context.moveTo(keyX + 24, barY);
    context.lineTo(keyX + 32, barY + 10);
    context.moveTo(keyX + 32, barY);
    context.lineTo(keyX + 24, barY + 10);
    context.stroke();
    context.fillText('NaN/Inf', keyX + 36, barY + 5);
  }
  canvas.addEventListener('mousemove', (event) => {
    const rect = canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const column = Math.floor((x - left) / cellW);
    const row = Math.floor(y / rowH);
    const step = steps[column];
    const id = layers[row];
    if (x < left || !step || !id || y > plotH) {
      tip.style.display = 'none';
      return;
    }
    tip.textContent = `${id} \u00b7 step ${step.step + 1}: ${formatNumber(step.norms[id])}`;
    tip.style.display = 'block';
    tip.style.left = `${Math.min(x + 12, width - 160)}px`;
    tip.style.top = `${y + 12}px`;
  });
  canvas.addEventListener('mouseleave', () => (tip.style.display = 'none'));
}

/** The key of the bar chart: the verdict colours present, the threshold lines and their rules. */
function barKey(s: PanelState, layers: readonly PanelLayer[]): HTMLElement {
  const c = colors();
  const judged = s.measurement === 'measured' || s.measurement === 'stale';
  const present = judged ? VERDICTS.filter((v) => layers.some((l) => l.verdict === v)) : [];
  const items: HTMLElement[] = [];
  const swatch = (color: string, text: string, kind = 'box') => {
    const mark = el('span', { class: `swatch ${kind}` });
    mark.style.setProperty('--swatch', color);
    return el('span', { class: 'key-item' }, mark, text);
  };
  for (const verdict of judged ? (present.length ? present : (['healthy'] as const)) : []) items.push(swatch(verdictColor(c, verdict), VERDICT_KEY[verdict] ?? verdict));
  if (!judged) items.push(swatch(c.unknown, s.measurement === 'initialization' ? 'at initialization, not judged yet' : 'not judged'));
  items.push(el('span', { class: 'key-item muted' }, 'solid: kernel, pale: bias'));
  if (layers.some((l) => special(l.kernelNorm) === 'zero')) items.push(swatch(c.dead, '0: zero gradient', 'cross'));
  if (layers.some((l) => ['nan', 'inf'].includes(special(l.kernelNorm)))) items.push(swatch(c['non-finite'], 'NaN / Inf', 'cross'));
  if (s.thresholds.vanishingBelow !== undefined) items.push(swatch(c.vanishing, s.thresholds.vanishingRule ?? 'vanishing below', 'line'));
  if (s.thresholds.explodingAbove !== undefined) items.push(swatch(c.exploding, s.thresholds.explodingRule ?? 'exploding above', 'line'));
  if (judged && s.thresholds.vanishingBelow === undefined && s.thresholds.explodingAbove === undefined) {
    items.push(el('span', { class: 'key-item muted' }, `no threshold line: the first/last ratio is within ${formatNumber(s.thresholds.vanishingRatio)} to ${formatNumber(s.thresholds.explodingRatio)}, or another rule decided`));
  }
  return el('div', { class: 'key', role: 'list', 'aria-label': 'Colour key' }, ...items);
}

/**
 * What limits the verdict, right under it: a partial run first (a warning), then what the run
 * changed to measure and the defaults used for unknowns (each with a link to its line).
 */
function caveatList(caveats: readonly PanelCaveat[]): HTMLElement {
  const label: Record<PanelCaveat['kind'], string> = { partial: 'Partial', note: 'Note', default: 'Default used' };
  return el('ul', { class: 'caveats', 'aria-label': 'What limits this measurement' },
    ...caveats.map((caveat) => {
      const text = caveat.kind === 'partial' ? caveat.text.replace(/^Partial measurement: /, '') : caveat.text;
      const item = el('li', { class: `caveat caveat-${caveat.kind}` }, el('strong', {}, `${label[caveat.kind]}: `), text);
      if (caveat.line !== undefined) {
        const line = caveat.line;
        const link = el('a', { href: '#', class: 'line-link', title: `Go to line ${line} in the code` }, `line ${line}`);
        link.addEventListener('click', (e) => {
          e.preventDefault();
          vscode.postMessage({ type: 'revealLine', line });
        });
        // "(line 12)" never breaks inside.
        item.append(' ', el('span', { class: 'nowrap' }, '(', link, ')'));
      }
      return item;
    }));
}

function verdictCard(s: PanelState): HTMLElement {
  const card = el('div', { class: 'card', role: 'region', 'aria-label': 'Verdict' });
  const h = s.headline;
  if (s.applied) {
    card.append(el('p', { class: 'applied', role: 'status' }, `Applied: ${s.applied.title} in ${s.applied.file} (unsaved; the editor shows it). `, button('Re-run', { type: 'rerun' }, 'Measure the edited code')));
  }
  if (running(s)) {
    const initial = s.measurement === 'initialization';
    const kernels = s.layers.filter((l) => l.trainable && typeof l.kernelNorm === 'number');
    const first = kernels[0];
    const last = kernels[kernels.length - 1];
    const ratio = first && last && typeof first.kernelNorm === 'number' && typeof last.kernelNorm === 'number' && last.kernelNorm > 0 ? first.kernelNorm / last.kernelNorm : undefined;
    card.classList.add('card-running');
    if (s.status.kind === 'confirming') {
      // The first initialization is measured: its verdict, said as such, while the others run.
      const more = s.status.planned - 1;
      card.append(
        el('h2', { class: 'verdict-words' }, `First initialization: ${s.status.firstVerdict}`),
        el('p', {}, `Measuring ${more} more initialization${more === 1 ? '' : 's'} to confirm it\u2026 The verdict over all of them replaces this one.`),
      );
      return card;
    }
    card.append(
      el('h2', { class: 'verdict-words' }, 'Measuring\u2026'),
      el('p', {}, statusText(s.status)),
      ...(initial && ratio !== undefined && first && last
        ? [el('p', { class: 'muted' }, `At initialization (before any update): ${first.id} ${formatNumber(first.kernelNorm)}, ${last.id} ${formatNumber(last.kernelNorm)}, first/last ${formatNumber(ratio)}. The verdict comes when training ends.`)]
        : []),
    );
    return card;
  }
  if (!h) {
    const worst = s.findings.filter((f) => f.severity !== 'info')[0];
    card.append(el('h2', { class: 'verdict-words' }, s.status.kind === 'error' ? 'The run failed' : s.status.kind === 'cancelled' ? 'Cancelled: not measured' : 'Not measured yet'));
    if (worst) {
      card.append(el('p', {}, `Predicted from the code (nothing was measured): ${worst.code} at `, layerLink(worst.layers[0] ?? '', `line ${worst.line}`), `. ${worst.message}`));
      const fix = worst.fixes.find((f) => !f.unavailable);
      if (fix) card.append(el('div', { class: 'card-fix' }, fixButton(fix, worst.layers, false)));
    } else {
      card.append(el('p', { class: 'muted' }, 'No problem predicted from the code.'));
    }
    card.append(el('div', { class: 'card-fix' }, button('Analyze', { type: 'rerun' }, 'Train briefly and measure the gradients', !!worst)));
    return card;
  }
  const stale = s.measurement === 'stale';
  const badge = el('span', { class: 'badge' });
  badge.style.setProperty('--swatch', verdictColor(colors(), h.verdict));
  card.classList.add(`card-${h.verdict}`);
  if (stale) card.classList.add('stale');
  card.append(
    el('h2', { class: 'verdict-words' }, badge, stale ? `Last measured: ${h.words}` : h.words, ...(h.metric ? [el('span', { class: 'metric' }, ` \u00b7 ${h.metric}`)] : [])),
  );
  if (s.caveats?.length) card.append(caveatList(s.caveats));
  if (h.worst) card.append(el('p', { class: 'worst' }, 'Worst layer: ', layerLink(h.worst.layer, h.worst.layer), ` (line ${h.worst.line})`, h.worst.text.startsWith(h.worst.layer) ? h.worst.text.slice(h.worst.layer.length) : `: ${h.worst.text}`));
  if (h.message && h.verdict !== 'healthy') card.append(el('p', { class: 'muted finding-message' }, h.message));
  if (h.verdict === 'healthy') card.append(el('p', { class: 'muted' }, 'No fix needed.'));
  if (h.fix) {
    const verified = s.verification?.variants.find((v) => v.fix === h.fix!.code);
    card.append(
      el('div', { class: 'card-fix' },
        el('span', { class: 'muted' }, 'First fix: '),
        fixButton(h.fix, h.fix.layers, false),
        button('Verify fixes\u2026', { type: 'verifyFixes', codes: s.findings.find((f) => f.fixes.some((x) => x.code === h.fix!.code))?.fixes.map((f) => f.code) ?? [h.fix.code] }, 'Measure each fix on a copy of the file, without changing it', true)),
    );
    if (verified) card.append(el('p', { class: `verified verified-${verified.verdict.replace(/\s+/g, '-')}` }, `Verified on a copy: ${verified.verdict}. ${verified.explanation}`));
  }
  if (s.runText) card.append(el('p', { class: 'muted small' }, `${stale ? 'Measured before your edit: ' : 'Measured: '}${s.runText}.`));
  return card;
}

function findingItem(finding: PanelFinding, dim = false): HTMLElement {
  const fixes = el('div', { class: 'fixes' }, ...finding.fixes.map((fix) => fixButton(fix, finding.layers, true)));
  if (!dim && finding.fixes.length) fixes.append(button('Verify fixes\u2026', { type: 'verifyFixes', codes: finding.fixes.map((f) => f.code) }, 'Measure each fix on a copy, without changing the file', true));
  const more = finding.layers.length > 1 ? ` and ${finding.layers.length - 1} more layer${finding.layers.length > 2 ? 's' : ''}` : '';
  return el('li', { class: `finding ${finding.severity}${dim ? ' stale' : ''}` },
    el('strong', {}, `${finding.code} `),
    el('span', { class: 'muted' }, `(${finding.source === 'static' ? 'predicted from the code' : 'measured'}, ${finding.severity}) `),
    layerLink(finding.layers[0] ?? '', `line ${finding.line}`),
    el('span', { class: 'muted' }, more),
    el('p', {}, finding.message),
    ...(finding.evidence ? [el('p', { class: 'evidence' }, finding.evidence)] : []),
    ...(dim ? [] : [fixes]));
}

function render(): void {
  frame = 0;
  lastRender = performance.now();
  clearTimeout(stepTimer);
  stepTimer = 0;
  // Which theme the page was last drawn in (the e2e checks a theme switch re-renders).
  app.dataset['theme'] = document.body.className;
  for (const chart of charts.splice(0)) chart.destroy();
  app.replaceChildren();
  const s = state;
  if (!s) {
    app.append(el('p', { class: 'empty' }, 'Run ', el('strong', {}, 'Gradient Lens: Analyze Gradients'), ' on a model (CodeLens, command palette or the editor\u2019s context menu) to see its gradients here.'));
    return;
  }
  const live = running(s);
  const trainableLayers = s.layers.filter((l) => l.trainable);
  app.append(
    el('header', {},
      el('h1', {}, s.model),
      el('p', { class: 'meta' }, `${s.file} \u00b7 ${s.layers.length} layers (${trainableLayers.length} with weights) \u00b7 ${s.params !== undefined ? `${s.params.toLocaleString('en-US')} params` : 'params unknown'}${s.backend ? ` \u00b7 ${s.backend}` : ''}`),
      el('div', { class: 'actions' },
        live ? button('Stop', { type: 'stop' }) : button(s.measurement === 'none' ? 'Analyze' : 'Re-run', { type: 'rerun' }),
        button('Export JSON', { type: 'export', format: 'json' }, 'Save the run\u2019s statistics as JSON', true),
        button('Export CSV', { type: 'export', format: 'csv' }, 'Save per-step gradient norms and loss as CSV', true),
        button(showTable ? 'Hide table' : 'Show table', () => {
          showTable = !showTable;
          scheduleRender();
        }, 'The numbers behind the charts, as a table', true)),
    ),
  );
  if (s.measurement === 'stale') app.append(el('div', { class: 'banner banner-stale', role: 'alert' }, 'Results predate your edit: the numbers below are of the code before it. ', button('Re-run', { type: 'rerun' }, 'Measure the code as it is now')));
  if (s.status.kind === 'error') app.append(el('div', { class: 'banner banner-error', role: 'alert' }, `The run failed: ${s.status.message} Fix what the message says (the model code, a setting or the data file), then run again. `, button('Re-run', { type: 'rerun' })));
  const nonFinite = trainableLayers.filter((l) => ['nan', 'inf'].includes(special(l.kernelNorm)));
  const zero = trainableLayers.filter((l) => special(l.kernelNorm) === 'zero');
  if (s.nonFinite || nonFinite.length || s.steps.some((st) => !Number.isFinite(st.loss))) {
    const where = s.nonFinite ? `The ${s.nonFinite.what}${s.nonFinite.layerId ? ` of ${s.nonFinite.layerId}` : ''} became NaN or Inf at step ${s.nonFinite.step}.` : 'Some values are NaN or Inf.';
    app.append(el('div', { class: 'banner banner-nonfinite', role: 'alert' }, `${where} Charts mark them with \u00d7 and a label (NaN, Inf) instead of drawing a bar; values after that point mean nothing.`));
  }
  if (zero.length) app.append(el('div', { class: 'banner banner-zero', role: 'alert' }, `${zero.length === 1 ? zero[0]!.id : `${zero.length} layers`} ${zero.length === 1 ? 'gets' : 'get'} exactly zero gradient: marked \u00d7 with "0" at the bottom of the chart (a log scale has no zero).`));

  app.append(verdictCard(s));

  if (s.verification) {
    const v = s.verification;
    if (v.running) {
      app.append(section('Verifying fixes\u2026', el('p', { class: 'muted' }, 'Each fix is applied to a copy of the file and measured on the same data and seed; the file is not changed.')));
    } else {
      const rows = v.variants.map((variant) => {
        // Verified on code that has been edited since: no Apply (it may no longer fit).
        const apply = s.measurement === 'stale' || variant.verdict === 'not applicable' || variant.verdict === 'failed' ? el('span', { class: 'muted' }, '-') : button('Apply', { type: 'applyFix', code: variant.fix }, `Apply to the code: ${variant.title ?? variant.fix}`, variant.verdict !== 'fixed');
        return el('tr', { class: `variant-${variant.verdict.replace(/\s+/g, '-')}` }, el('td', {}, variant.title ?? variant.fix), el('td', {}, variant.verdict), el('td', {}, variant.explanation), el('td', {}, apply));
      });
      // Per fix, the kernel gradient norm per layer before and after, on one log scale.
      const ids = trainableLayers.filter((l) => v.before?.[l.id] !== undefined).map((l) => l.id);
      const grid = el('div', { class: 'variants' });
      const pending: (() => void)[] = [];
      for (const variant of v.variants.filter((x) => x.norms && ids.length)) {
        const canvas = chartCanvas(`Kernel gradient norm per layer before and after: ${variant.title ?? variant.fix}`);
        grid.append(el('div', { class: 'variant' }, el('h3', {}, `${variant.title ?? variant.fix}: ${variant.verdict}`), chartBox(canvas, `verify-${variant.fix}`, 180)));
        const c = colors();
        pending.push(() => charts.push(lineChart(canvas, ids, [
          { label: 'before', data: ids.map((id) => v.before?.[id]), color: c.muted, dash: [5, 3] },
          { label: 'after', data: ids.map((id) => variant.norms?.[id]), color: c.unknown },
        ], { log: true, yTitle: 'kernel gradient norm', xTitle: 'layer' })));
      }
      const verifiedSection = section(s.measurement === 'stale' ? 'Verified fixes, on the code before your edit' : 'Verified fixes (measured on copies; the file is unchanged)',
        el('div', { class: 'table-scroll' }, el('table', { class: 'verify' }, el('thead', {}, el('tr', {}, ...['fix', 'result', 'details', ''].map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows))),
        grid);
      if (s.measurement === 'stale') verifiedSection.classList.add('stale');
      app.append(verifiedSection);
      for (const draw of pending) draw();
    }
  }

  const measured = trainableLayers.some((l) => l.kernelNorm !== undefined);
  const chartsBlock = el('div', { class: s.measurement === 'stale' ? 'measured stale' : 'measured' });
  app.append(chartsBlock);
  if (measured) {
    const canvas = chartCanvas('Kernel and bias gradient norm per layer, log scale');
    const when = s.measurement === 'initialization' ? 'at initialization (probe, before any update)' : 'mean over the last epoch';
    chartsBlock.append(section(`Gradient norm per layer: ${when}`, chartBox(canvas, 'gradient-norms', 260), barKey(s, trainableLayers), el('p', { class: 'hint' }, 'Click a bar to go to the layer\u2019s line.')));
    charts.push(barChart(canvas, s, trainableLayers));
  }

  if (s.steps.length) {
    const heat = el('div', { class: 'heat-holder' });
    chartsBlock.append(section('Kernel gradient norm: layers x training steps', heat));
    const trainableIds = trainableLayers.map((l) => l.id);
    const picks = [...new Set([trainableIds[0], trainableIds[Math.floor(trainableIds.length / 2)], trainableIds[trainableIds.length - 1]].filter((x): x is string => !!x))];
    const c = colors();
    const palette = [{ color: c.unknown }, { color: c.text, dash: [5, 3] }, { color: c.muted, dash: [2, 2] }];
    const labels = s.steps.map((st) => st.step + 1);
    const lossCanvas = chartCanvas('Loss per training step');
    const normsCanvas = chartCanvas('Kernel gradient norm over training steps for the first, middle and last layers');
    chartsBlock.append(section('Loss', chartBox(lossCanvas, 'loss')), section('Gradient norm over time: first, middle and last layer', chartBox(normsCanvas, 'norms-over-time')));
    // Drawn after the section is in the page, so the canvas knows its width.
    requestAnimationFrame(() => heatmap(heat, s));
    charts.push(lineChart(lossCanvas, labels, [{ label: 'data loss', data: s.steps.map((st) => st.loss), color: c.unknown }], { log: 'auto', yTitle: 'data loss', xTitle: 'training step' }));
    charts.push(lineChart(normsCanvas, labels, picks.map((id, i) => ({ label: id, data: s.steps.map((st) => st.norms[id]), ...palette[i]! })), { log: true, yTitle: 'kernel gradient norm', xTitle: 'training step' }));
  }

  for (const temporal of s.temporal) {
    const canvas = chartCanvas(`Gradient per time step of ${temporal.layerId}`);
    chartsBlock.append(section(`Gradient per time step: ${temporal.layerId} (at initialization)`, chartBox(canvas, `time-steps-${temporal.layerId}`)));
    charts.push(lineChart(canvas, temporal.perTimeStep.map((_, t) => t + 1), [{ label: 'd loss / d input at time step t', data: temporal.perTimeStep, color: colors().unknown }], { log: true, yTitle: 'gradient norm', xTitle: 'time step (first to last)' }));
  }

  const findingsList = el('ul', { class: 'findings' }, ...s.findings.map((f) => findingItem(f)));
  const predicted = s.measurement !== 'measured';
  const title = predicted ? `Findings predicted from the code (${s.findings.length})` : `Findings (${s.findings.length})`;
  const none = predicted ? 'No problem predicted from the code. Analyze to measure.' : 'No finding: the measured gradients look healthy.';
  app.append(section(title, s.findings.length ? findingsList : el('p', {}, none)));
  if (s.staleFindings?.length) app.append(el('div', { class: 'stale' }, section(`Measured before your edit (${s.staleFindings.length})`, el('ul', { class: 'findings' }, ...s.staleFindings.map((f) => findingItem(f, true))))));

  if (showTable) {
    const headers: [string, boolean][] = [['layer', false], ['type', false], ['activation', false], ['line', true], ['params', true], ['kernel grad norm', true], ['bias grad norm', true], ['verdict', false]];
    const table = el('table', { class: 'layers' }, el('thead', {}, el('tr', {}, ...headers.map(([h, num]) => el('th', { scope: 'col', class: num ? 'num' : '' }, h)))));
    const body = el('tbody');
    for (const layer of s.layers) {
      body.append(el('tr', { class: `verdict-${layer.verdict ?? 'none'}` },
        el('td', {}, layerLink(layer.id)),
        el('td', {}, layer.type, ...(layer.note ? [el('span', { class: 'note' }, ` (${layer.note})`)] : [])),
        el('td', {}, layer.activation ?? ''),
        el('td', { class: 'num' }, String(layer.line)),
        el('td', { class: 'num' }, layer.params?.toLocaleString('en-US') ?? '?'),
        el('td', { class: 'num' }, layer.kernelNorm === undefined ? '' : formatNumber(layer.kernelNorm)),
        el('td', { class: 'num' }, layer.biasNorm === undefined ? '' : formatNumber(layer.biasNorm)),
        el('td', {}, layer.verdict ?? (layer.kernelNorm !== undefined && s.measurement === 'initialization' ? 'not judged yet' : '-'))));
    }
    table.append(body);
    const tableSection = section(s.measurement === 'initialization' ? 'Layers (numbers at initialization)' : 'Layers', el('div', { class: 'table-scroll' }, table));
    if (s.measurement === 'stale') tableSection.classList.add('stale');
    app.append(tableSection);
  }
  if (s.measurement !== lastDrawn) {
    lastDrawn = s.measurement;
    if (measured) vscode.postMessage({ type: 'drawn', measurement: s.measurement, receivedAt, drawnAt: Date.now() });
    // What this run's pictures were, in order ("initialization measured"): a fast run shows its
    // first picture for a moment only, and tests read it here.
    if (s.measurement === 'none' && live) app.dataset['drawn'] = '';
    else if (measured) app.dataset['drawn'] = `${app.dataset['drawn'] ?? ''} ${s.measurement}`.trim();
  }
}

/**
 * Draws at the next frame; `minGapMs` after the last drawing at the earliest. Live training steps
 * redraw every chart, so they come at most every STEP_RENDER_MS: the Chromium renderer shares the
 * machine's cores with the training worker (2 here), and drawing at every step slowed it.
 */
function scheduleRender(minGapMs = 0): void {
  if (frame) return;
  const wait = minGapMs - (performance.now() - lastRender);
  if (wait > 0) {
    if (!stepTimer) stepTimer = window.setTimeout(() => {
      stepTimer = 0;
      scheduleRender();
    }, wait);
    return;
  }
  frame = requestAnimationFrame(render);
}

window.addEventListener('message', (event: MessageEvent<HostToPanel>) => {
  const message = decodeNonFinite(event.data);
  receivedAt = Date.now();
  if (message.type === 'state') state = message.state;
  else if (message.type === 'steps' && state) state = { ...state, status: message.status, steps: [...state.steps, ...(message.steps as PanelStep[])] };
  vscode.setState(encodeNonFinite(state));
  scheduleRender(message.type === 'steps' ? STEP_RENDER_MS : 0);
});

// A theme switch changes the body's class and the CSS variables: draw again with the new colours.
const observer = new MutationObserver(() => scheduleRender());
observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
// Charts and the heatmap follow the panel's width.
let width = window.innerWidth;
window.addEventListener('resize', () => {
  if (Math.abs(window.innerWidth - width) > 4) {
    width = window.innerWidth;
    scheduleRender();
  }
});

render();
const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((entry) => entry.name.includes('webview.js'));
vscode.postMessage({ type: 'ready', startedAt: Math.round(performance.timeOrigin), ...(script ? { fetchedAt: Math.round(performance.timeOrigin + script.responseEnd) } : {}) });
