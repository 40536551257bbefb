/**
 * Pure helpers of the panel's page (no DOM): axis ranges, the heatmap's fixed colour scale, the
 * special values a log axis cannot draw. Unit-tested (test/unit/panelView.test.ts).
 */

/** The heatmap's fixed scale, log10 of the kernel gradient norm: the same colour means the same number in every run. */
export const HEAT_LOG_MIN = -10;
export const HEAT_LOG_MAX = 2;

/**
 * Cividis (Nuñez, Anderton & Renslow 2018): dark blue for small to yellow for large, readable
 * with colour-vision deficiency, and neither red nor green, so it never reads as a verdict.
 */
const CIVIDIS: readonly (readonly [number, number, number])[] = [
  [0, 34, 78],
  [53, 62, 108],
  [102, 104, 112],
  [149, 143, 120],
  [203, 186, 105],
  [253, 234, 69],
];

/** Colour of a positive finite norm on the fixed scale (values outside it are clamped). */
export function heatColor(norm: number): string {
  const t = Math.min(1, Math.max(0, (Math.log10(norm) - HEAT_LOG_MIN) / (HEAT_LOG_MAX - HEAT_LOG_MIN)));
  const x = t * (CIVIDIS.length - 1);
  const i = Math.min(CIVIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [CIVIDIS[i]!, CIVIDIS[i + 1]!];
  const mix = (k: number) => Math.round(a[k]! + (b[k]! - a[k]!) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** What a log axis cannot place: zero, NaN, +-Infinity (and a missing value). */
export type Special = 'ok' | 'zero' | 'nan' | 'inf' | 'missing';

export function special(value: number | null | undefined): Special {
  if (value === null || value === undefined) return 'missing';
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return 'inf';
  if (value === 0) return 'zero';
  return 'ok';
}

/** The label a special value gets on a chart. */
export function specialLabel(kind: Special, value?: number): string {
  return kind === 'zero' ? '0' : kind === 'nan' ? 'NaN' : kind === 'inf' ? ((value ?? 1) < 0 ? '-Inf' : 'Inf') : '';
}

/**
 * A log axis range covering the positive finite values, whole decades, at least two decades
 * wide so there are always at least three labelled ticks.
 */
export function logRange(values: readonly (number | null | undefined)[]): { min: number; max: number } {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0);
  if (!ok.length) return { min: 1e-3, max: 1e1 };
  let low = Math.floor(Math.log10(Math.min(...ok)));
  let high = Math.ceil(Math.log10(Math.max(...ok)));
  while (high - low < 2) {
    low -= 1;
    high += 1;
  }
  return { min: 10 ** low, max: 10 ** high };
}

/** Whether a log tick value is a power of ten that gets a label: every decade, or every few when the axis spans many. */
export function labelledDecade(value: number, min: number, max: number): boolean {
  const exponent = Math.log10(value);
  if (Math.abs(exponent - Math.round(exponent)) > 1e-6) return false;
  const span = Math.round(Math.log10(max / min));
  const every = span > 12 ? 3 : span > 6 ? 2 : 1;
  return Math.round(exponent) % every === 0;
}

/** Whether a positive series is better read on a log axis: it spans more than three decades. */
export function wantsLog(values: readonly (number | null | undefined)[]): boolean {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!ok.length || ok.some((v) => v <= 0)) return false;
  return Math.max(...ok) / Math.min(...ok) > 1e3;
}
